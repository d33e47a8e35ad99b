package com.example.backupjob.error;

/**
 * The idempotency table could not be used, for the idempotency record or the shared request rate, so no job was
 * started unguarded; or for a tag selection run's record, so the selection stopped where its record says it is.
 */
public final class IdempotencyStoreException extends StartBackupJobException {

    public IdempotencyStoreException(ErrorSource source, String message, Throwable cause) {
        super(source, message, true, cause);
    }
}
