package com.example.backupjob.handler;

import com.example.backupjob.error.StartBackupJobException;
import com.example.backupjob.logging.InvocationLogging;
import com.example.backupjob.service.StartBackupJobService;
import java.util.List;

/** Processes the records of one SQS batch, each on its own, and reports the ones that started no job. */
final class SqsBatchProcessor {

    private final EventShapes shapes;
    private final StartBackupJobService service;

    SqsBatchProcessor(EventShapes shapes, StartBackupJobService service) {
        this.shapes = shapes;
        this.service = service;
    }

    BatchResponse process(List<Invocation.SqsMessage> messages) {
        List<BatchResponse.BatchItemFailure> failures = messages.stream()
                .filter(message -> !startsJob(message))
                .map(message -> new BatchResponse.BatchItemFailure(message.messageId()))
                .toList();
        return new BatchResponse(failures);
    }

    private boolean startsJob(Invocation.SqsMessage message) {
        return InvocationLogging.correlated(message.messageId(), () -> {
            try {
                service.start(shapes.request(message));
                return true;
            } catch (StartBackupJobException e) {
                InvocationLogging.failure(e);
                return false;
            } catch (RuntimeException e) {
                // Nothing is lost: whatever went wrong, the record goes back to the queue and, in the end, to its DLQ.
                InvocationLogging.unexpected(e);
                return false;
            }
        });
    }
}
