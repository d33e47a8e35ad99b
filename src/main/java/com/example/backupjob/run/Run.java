package com.example.backupjob.run;

import java.time.Instant;
import java.util.Objects;

/**
 * The fleet run a queued request belongs to, as the selection tags its message: the run's SelectionKey and the
 * deadline after which none of its requests may start a job.
 */
public record Run(String selectionKey, Instant deadline) {

    /** The SQS message attribute (String) that names the request's run. */
    public static final String SELECTION_KEY_ATTRIBUTE = "SelectionKey";
    /** The SQS message attribute (Number, epoch seconds) that carries the run's deadline. */
    public static final String DEADLINE_ATTRIBUTE = "RunDeadline";

    public Run {
        Objects.requireNonNull(selectionKey, "selectionKey");
        Objects.requireNonNull(deadline, "deadline");
    }

    /** Whether a request of this run that arrives at {@code now} is stale: received after the run's deadline. */
    public boolean isOverAt(Instant now) {
        return now.isAfter(deadline);
    }
}
