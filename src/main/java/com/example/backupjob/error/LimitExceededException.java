package com.example.backupjob.error;

/** AWS Backup refused the job because an account limit, such as concurrent jobs, was reached. */
public final class LimitExceededException extends StartBackupJobException {

    public LimitExceededException(String message) {
        this(message, null);
    }

    public LimitExceededException(String message, Throwable cause) {
        super(message, true, cause);
    }
}
