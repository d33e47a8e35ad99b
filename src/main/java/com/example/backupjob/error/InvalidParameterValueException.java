package com.example.backupjob.error;

/** A value out of range or malformed, in the request or as a service judged it. */
public final class InvalidParameterValueException extends StartBackupJobException {

    /** A problem with the request itself. */
    public InvalidParameterValueException(String message) {
        this(ErrorSource.REQUEST, message, null);
    }

    public InvalidParameterValueException(ErrorSource source, String message, Throwable cause) {
        super(source, message, false, cause);
    }

    @Override
    public boolean isRejection() {
        return true;
    }
}
