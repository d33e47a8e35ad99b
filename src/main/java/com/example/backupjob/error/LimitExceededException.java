package com.example.backupjob.error;

/** AWS Backup refused the job because an account limit, such as concurrent jobs, was reached. */
public final class LimitExceededException extends StartBackupJobException {

    public LimitExceededException(ErrorSource source, String message, Throwable cause) {
        super(source, message, true, cause);
    }
}
