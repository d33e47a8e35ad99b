package com.example.backupjob.error;

/** A request field has a value out of range or malformed. */
public final class InvalidParameterValueException extends StartBackupJobException {

    public InvalidParameterValueException(String message) {
        this(message, null);
    }

    public InvalidParameterValueException(String message, Throwable cause) {
        super(message, false, cause);
    }

    @Override
    public boolean isRejection() {
        return true;
    }
}
