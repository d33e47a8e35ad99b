package com.example.backupjob.error;

/**
 * Base of every failure the function reports; the subclass's simple name is the error name callers match on.
 */
public abstract class StartBackupJobException extends RuntimeException {

    private final boolean retryable;

    protected StartBackupJobException(String message, boolean retryable, Throwable cause) {
        // No stack trace: the class name and message are the whole answer, and the trace would only repeat our frames.
        super(message, cause, true, false);
        this.retryable = retryable;
    }

    /** Whether sending the same request again later can succeed. */
    public boolean isRetryable() {
        return retryable;
    }

    /** Whether the request itself is at fault, so that only fixing it helps. */
    public boolean isRejection() {
        return false;
    }

    /** The name to report the failure under: the class's simple name, the error code the service sent. */
    public String errorName() {
        return getClass().getSimpleName();
    }
}
