package com.example.backupjob.error;

/**
 * A service could not be reached, was unavailable or too slow for the time left, or the function failed in a way
 * it did not foresee.
 */
public final class ServiceUnavailableException extends StartBackupJobException {

    public ServiceUnavailableException(ErrorSource source, String message, Throwable cause) {
        super(source, message, true, cause);
    }
}
