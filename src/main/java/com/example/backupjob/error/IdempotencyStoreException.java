package com.example.backupjob.error;

/** The idempotency store could not be read or written, so no job was started unguarded. */
public final class IdempotencyStoreException extends StartBackupJobException {

    public IdempotencyStoreException(String message) {
        this(message, null);
    }

    public IdempotencyStoreException(String message, Throwable cause) {
        super(message, true, cause);
    }
}
