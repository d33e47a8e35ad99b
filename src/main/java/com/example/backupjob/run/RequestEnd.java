package com.example.backupjob.run;

/**
 * How a queued request of a run ended without starting a job, each with the run record's counter it adds to and the
 * {@code outcome} of its log line.
 */
public enum RequestEnd {

    /** Received after the run's deadline: dropped from the queue, no job. */
    EXPIRED("requestsExpired", "Backup request of a run expired before it could start: no job started"),
    /** Failed on its last delivery: it goes to the dead-letter queue. */
    FAILED_TO_START("failedToStart", "Backup request of a run failed on its last delivery: no job started");

    private final String counter;
    private final String description;

    RequestEnd(String counter, String description) {
        this.counter = counter;
        this.description = description;
    }

    /** The run record's counter (N) this end adds 1 to. */
    public String counter() {
        return counter;
    }

    /** The message of the log line that reports this end. */
    public String description() {
        return description;
    }
}
