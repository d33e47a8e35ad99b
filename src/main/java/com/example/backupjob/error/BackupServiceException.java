package com.example.backupjob.error;

/** A service error whose code has no class of its own here; the message starts with the service's code. */
public final class BackupServiceException extends StartBackupJobException {

    private final String errorCode;

    public BackupServiceException(ErrorSource source, String errorCode, String message, boolean retryable,
            Throwable cause) {
        super(source, message, retryable, cause);
        this.errorCode = errorCode;
    }

    @Override
    public String getMessage() {
        // The code first, as the contract says, then the source as in every other message.
        return errorCode + ": " + super.getMessage();
    }

    @Override
    public String errorName() {
        return errorCode;
    }
}
