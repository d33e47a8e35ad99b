package com.example.backupjob.run;

/** Counts how each queued request of a run ended, in the run's record. */
public interface RequestCounter {

    /** Counts nothing: a dry run calls no AWS service and remembers nothing. */
    RequestCounter DRY_RUN = new RequestCounter() {
        @Override
        public void countStarted(Run run, String backupJobId, String resourceArn) {
        }

        @Override
        public void countEnd(Run run, RequestEnd end, String resourceArn) {
        }
    };

    /**
     * Counts the job a request of the run started, once however often its request is delivered, and records the job
     * for the tracker.
     *
     * @throws com.example.backupjob.error.IdempotencyStoreException when the run record cannot be written; the job
     *     is not counted then, and the same call on a later delivery counts it
     */
    void countStarted(Run run, String backupJobId, String resourceArn);

    /**
     * Counts a request of the run that ended without a job, with its resource among those that did not complete.
     *
     * @param resourceArn the request's resource, or null when it has none that could be read
     * @throws com.example.backupjob.error.IdempotencyStoreException when the run record cannot be written
     */
    void countEnd(Run run, RequestEnd end, String resourceArn);
}
