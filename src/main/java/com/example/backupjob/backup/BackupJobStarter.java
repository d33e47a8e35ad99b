package com.example.backupjob.backup;

import com.amazonaws.services.lambda.runtime.Context;
import com.example.backupjob.request.BackupRequest;

/** Starts the backup job of a validated request under the token AWS Backup de-duplicates on. */
public interface BackupJobStarter {

    StartedJob start(String backupToken, BackupRequest request);

    /** Called as each invocation begins, for a starter whose work depends on the invocation's remaining time. */
    default void beginInvocation(Context context) {
    }

    /** The job, and how this request came to it. */
    record StartedJob(BackupJob job, Outcome outcome) {
    }

    /** How a request came to its job, with the message logged for it. */
    enum Outcome {
        STARTED("Backup job started"),
        DUPLICATE("Backup job already started for this request"),
        DRY_RUN("Dry run: no backup job started");

        private final String description;

        Outcome(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }
}
