package com.example.backupjob.handler;

import java.util.List;

/** The SQS partial batch response: exactly the records that started no job, for the queue to retry. */
record BatchResponse(List<BatchItemFailure> batchItemFailures) {

    /** One failed record, named by its message id. */
    record BatchItemFailure(String itemIdentifier) {
    }
}
