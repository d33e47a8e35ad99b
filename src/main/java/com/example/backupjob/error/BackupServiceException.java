package com.example.backupjob.error;

/** An AWS Backup error whose code has no class of its own here; the message starts with the service's code. */
public final class BackupServiceException extends StartBackupJobException {

    private final String errorCode;

    public BackupServiceException(String errorCode, String message, boolean retryable, Throwable cause) {
        super(errorCode + ": " + message, retryable, cause);
        this.errorCode = errorCode;
    }

    @Override
    public String errorName() {
        return errorCode;
    }
}
