package com.example.backupjob.error;

/**
 * The idempotency table could not be used: for the idempotency record or the shared request rate, so that no job was
 * started unguarded; or for a fleet run's record, so that a count is retried rather than lost and a selection stops
 * where its record says it is.
 */
public final class IdempotencyStoreException extends StartBackupJobException {

    public IdempotencyStoreException(ErrorSource source, String message, Throwable cause) {
        super(source, message, true, cause);
    }
}
