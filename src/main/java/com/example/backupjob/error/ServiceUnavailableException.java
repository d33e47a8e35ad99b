package com.example.backupjob.error;

/** AWS Backup could not be reached or answered that it is unavailable. */
public final class ServiceUnavailableException extends StartBackupJobException {

    public ServiceUnavailableException(String message) {
        this(message, null);
    }

    public ServiceUnavailableException(String message, Throwable cause) {
        super(message, true, cause);
    }
}
