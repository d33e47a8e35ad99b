package com.example.backupjob.handler;

import com.example.backupjob.error.StartBackupJobException;
import com.example.backupjob.logging.InvocationLogging;
import com.example.backupjob.metrics.InvocationMetrics;

/** Reports each failed request once: a log line that says why and whether a retry helps, and a metric. */
final class Failures {

    private final InvocationMetrics metrics;

    Failures(InvocationMetrics metrics) {
        this.metrics = metrics;
    }

    void report(StartBackupJobException failure) {
        InvocationLogging.failure(failure);
        if (failure.isRejection()) {
            metrics.requestRejected();
        } else {
            metrics.requestFailed(failure.errorName());
        }
    }

    void reportUnexpected(RuntimeException failure) {
        InvocationLogging.unexpected(failure);
        metrics.requestFailed(failure.getClass().getSimpleName());
    }
}
