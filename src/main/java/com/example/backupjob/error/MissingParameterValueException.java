package com.example.backupjob.error;

/** A required request field is missing after the defaults were applied. */
public final class MissingParameterValueException extends StartBackupJobException {

    public MissingParameterValueException(String message) {
        this(message, null);
    }

    public MissingParameterValueException(String message, Throwable cause) {
        super(message, false, cause);
    }

    @Override
    public boolean isRejection() {
        return true;
    }
}
