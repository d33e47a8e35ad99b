package com.example.backupjob.error;

/** The input is not a usable request: not JSON, not an object, an unknown key or a wrong JSON type. */
public final class InvalidRequestException extends StartBackupJobException {

    public InvalidRequestException(String message) {
        this(message, null);
    }

    public InvalidRequestException(String message, Throwable cause) {
        super(message, false, cause);
    }

    @Override
    public boolean isRejection() {
        return true;
    }
}
