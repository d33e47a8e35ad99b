package com.example.backupjob.error;

/**
 * The input is not a usable request: not JSON, not an object, an unknown key or a wrong JSON type; or a service
 * judged the request invalid.
 */
public final class InvalidRequestException extends StartBackupJobException {

    /** A problem with the request itself. */
    public InvalidRequestException(String message) {
        this(ErrorSource.REQUEST, message, null);
    }

    public InvalidRequestException(ErrorSource source, String message, Throwable cause) {
        super(source, message, false, cause);
    }

    @Override
    public boolean isRejection() {
        return true;
    }
}
