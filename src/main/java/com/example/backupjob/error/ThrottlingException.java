package com.example.backupjob.error;

/** AWS Backup throttled the call and the SDK's retries did not get through. */
public final class ThrottlingException extends StartBackupJobException {

    public ThrottlingException(String message) {
        this(message, null);
    }

    public ThrottlingException(String message, Throwable cause) {
        super(message, true, cause);
    }
}
