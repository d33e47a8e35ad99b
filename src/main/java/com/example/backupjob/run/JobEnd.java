package com.example.backupjob.run;

import java.util.Optional;

/**
 * The final states of a backup job as AWS Backup's "Backup Job State Change" events report them, each with the run
 * record's counter it adds to. PARTIAL (a composite job that finished only some of its child jobs) has a counter of
 * its own: what to do about it differs from a failed job (look at the child jobs).
 */
public enum JobEnd {

    COMPLETED("completed", false),
    /** COMPLETED with a status message: the console's "Completed with issues"; the recovery point exists. */
    COMPLETED_WITH_ISSUES("completedWithIssues", false),
    FAILED("failed", true),
    ABORTED("aborted", true),
    EXPIRED("jobsExpired", true),
    PARTIAL("partial", true);

    private final String counter;
    private final boolean incomplete;

    JobEnd(String counter, boolean incomplete) {
        this.counter = counter;
        this.incomplete = incomplete;
    }

    /**
     * The end a job state change reports, or empty for a state that is not final (CREATED, PENDING, RUNNING,
     * ABORTING) or unknown. AWS Backup also sends an empty statusMessage with a clean COMPLETED.
     */
    public static Optional<JobEnd> of(String state, String statusMessage) {
        return switch (state) {
            case "COMPLETED" -> Optional.of(statusMessage == null || statusMessage.isBlank()
                    ? COMPLETED : COMPLETED_WITH_ISSUES);
            case "FAILED" -> Optional.of(FAILED);
            case "ABORTED" -> Optional.of(ABORTED);
            case "EXPIRED" -> Optional.of(EXPIRED);
            case "PARTIAL" -> Optional.of(PARTIAL);
            default -> Optional.empty();
        };
    }

    /** The run record's counter (N) this end adds 1 to. */
    public String counter() {
        return counter;
    }

    /** Whether the resource is left without a complete recovery point, so that the summary lists it. */
    public boolean isIncomplete() {
        return incomplete;
    }
}
