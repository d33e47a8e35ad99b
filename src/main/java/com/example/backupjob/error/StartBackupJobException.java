package com.example.backupjob.error;

/**
 * Base of every failure the function reports; the subclass's simple name is the error name callers match on, and its
 * source says where the failure came from.
 */
public abstract class StartBackupJobException extends RuntimeException {

    private final ErrorSource source;
    private final boolean retryable;

    /**
     * @param message what went wrong, led in the message by the source unless it is the request itself
     * @param cause the exception that reported it, or null
     */
    protected StartBackupJobException(ErrorSource source, String message, boolean retryable, Throwable cause) {
        // No stack trace: the class name and message are the whole answer, and the trace would only repeat our frames.
        super(source == ErrorSource.REQUEST ? message : source.label() + ": " + message, cause, true, false);
        this.source = source;
        this.retryable = retryable;
    }

    /** Where the failure came from; one error name can have several (ThrottlingException: a service, the rate). */
    public ErrorSource source() {
        return source;
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
