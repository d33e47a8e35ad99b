package com.example.backupjob.logging;

import com.amazonaws.services.lambda.runtime.Context;
import com.example.backupjob.error.ErrorSource;
import com.example.backupjob.error.ServiceUnavailableException;
import com.example.backupjob.error.StartBackupJobException;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;
import software.amazon.lambda.powertools.logging.PowertoolsLogging;

/** Powertools structured logging for one invocation: Lambda context fields, correlation id and failure lines. */
public final class InvocationLogging {

    private static final Logger LOG = LoggerFactory.getLogger(InvocationLogging.class);
    private static final String CORRELATION_ID = "correlation_id";

    private InvocationLogging() {
    }

    /** Runs one invocation with the Lambda context in every log line; the correlation id starts as the request id. */
    public static <T> T during(Context context, Supplier<T> invocation) {
        return PowertoolsLogging.withLogging(context, () -> {
            MDC.put(CORRELATION_ID, context.getAwsRequestId());
            return invocation.get();
        });
    }

    /** Runs part of an invocation, such as one SQS record, under its own correlation id. */
    public static <T> T correlated(String correlationId, Supplier<T> work) {
        String previous = MDC.get(CORRELATION_ID);
        MDC.put(CORRELATION_ID, correlationId);
        try {
            return work.get();
        } finally {
            MDC.put(CORRELATION_ID, previous);
        }
    }

    /** Runs part of an invocation with a field of its own in every log line, such as the run of an SQS record. */
    public static <T> T withField(String name, String value, Supplier<T> work) {
        String previous = MDC.get(name);
        MDC.put(name, value);
        try {
            return work.get();
        } finally {
            if (previous == null) {
                MDC.remove(name);
            } else {
                MDC.put(name, previous);
            }
        }
    }

    /** Wraps work handed to another thread so that its log lines carry this thread's context (request id, ...). */
    public static <T> Supplier<T> inCurrentContext(Supplier<T> work) {
        Map<String, String> context = MDC.getCopyOfContextMap();
        return () -> {
            MDC.setContextMap(context == null ? Map.of() : context);
            try {
                return work.get();
            } finally {
                MDC.clear();
            }
        };
    }

    /**
     * Runs work whose every failure reaches the caller under a contract name with one WARN or ERROR line: a failure
     * of ours as it is, anything else (a bug, a library's own exception, an Error) as ServiceUnavailableException
     * from the function, logged with its stack trace.
     *
     * @throws StartBackupJobException whatever the work threw, under its contract name
     */
    public static <T> T reportingFailures(Supplier<T> work) {
        try {
            return work.get();
        } catch (StartBackupJobException e) {
            failure(e).log("{}: {}", e.isRetryable() ? "Backup request failed; a retry can help"
                    : e.isRejection() ? "Backup request rejected; a retry cannot help until it is fixed"
                    : "Backup request failed; a retry cannot help", e.getMessage());
            throw e;
        } catch (Throwable e) {
            // The class only: an unexpected exception's message may quote the request, tag values included.
            ServiceUnavailableException failure = new ServiceUnavailableException(ErrorSource.FUNCTION,
                    "failed unexpectedly (" + e.getClass().getName() + "); a retry can help if the fault was passing",
                    e);
            failure(failure).addKeyValue("stackTrace", framesOf(e)).log("Backup request failed: {}",
                    failure.getMessage());
            throw failure;
        }
    }

    /**
     * The one line of a failure: WARN for a rejected request, ERROR for a failed one, with its name, where it came
     * from and whether a retry helps. The template's metric filters count these lines by their level and errorType.
     */
    private static LoggingEventBuilder failure(StartBackupJobException failure) {
        return LOG.atLevel(failure.isRejection() ? Level.WARN : Level.ERROR)
                .addKeyValue("errorType", failure.errorName())
                .addKeyValue("errorSource", failure.source().label())
                .addKeyValue("retryable", failure.isRetryable());
    }

    /** Where an unexpected failure came from: each exception's class and frames, without its message. */
    private static String framesOf(Throwable failure) {
        StringBuilder trace = new StringBuilder();
        for (Throwable e = failure; e != null; e = e.getCause() == e ? null : e.getCause()) {
            trace.append(e == failure ? "" : "Caused by: ").append(e.getClass().getName()).append('\n');
            for (StackTraceElement frame : e.getStackTrace()) {
                trace.append("\tat ").append(frame).append('\n');
            }
        }
        return trace.toString();
    }
}
