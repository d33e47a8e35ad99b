package com.example.backupjob.error;

/** An AWS Backup error whose code has no class of its own here; the message starts with the service's code. */
public final class BackupServiceException extends StartBackupJobException {

    public BackupServiceException(String errorCode, String message, boolean retryable, Throwable cause) {
        super(errorCode + ": " + message, retryable, cause);
    }
}
