package com.example.backupjob.error;

/**
 * A call was throttled beyond its retries, or no turn under the shared request rate was free before the deadline;
 * the source says which.
 */
public final class ThrottlingException extends StartBackupJobException {

    public ThrottlingException(ErrorSource source, String message, Throwable cause) {
        super(source, message, true, cause);
    }
}
