package com.example.backupjob.error;

/** The same request is being processed by another invocation right now. */
public final class IdempotencyAlreadyInProgressException extends StartBackupJobException {

    public IdempotencyAlreadyInProgressException(ErrorSource source, String message, Throwable cause) {
        super(source, message, true, cause);
    }
}
