package com.example.backupjob.error;

/** A required field is missing after the defaults were applied, in the request or as a service judged it. */
public final class MissingParameterValueException extends StartBackupJobException {

    /** A problem with the request itself. */
    public MissingParameterValueException(String message) {
        this(ErrorSource.REQUEST, message, null);
    }

    public MissingParameterValueException(ErrorSource source, String message, Throwable cause) {
        super(source, message, false, cause);
    }

    @Override
    public boolean isRejection() {
        return true;
    }
}
