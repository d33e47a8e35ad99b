package com.example.backupjob.error;

/** The same request is being processed by another invocation right now. */
public final class IdempotencyAlreadyInProgressException extends StartBackupJobException {

    public IdempotencyAlreadyInProgressException(String message) {
        this(message, null);
    }

    public IdempotencyAlreadyInProgressException(String message, Throwable cause) {
        super(message, true, cause);
    }
}
