package com.example.backupjob.backup;

import com.example.backupjob.request.BackupRequest;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DRY_RUN mode: logs the exact StartBackupJob request that would be sent (tag values redacted by the SDK, which
 * marks them sensitive) and starts nothing; nothing is remembered either, so a later real run is not affected.
 */
public final class DryRunBackupJobs implements BackupJobStarter {

    private static final Logger LOG = LoggerFactory.getLogger(DryRunBackupJobs.class);

    @Override
    public StartedJob start(String backupToken, BackupRequest request) {
        LOG.atInfo()
                .addKeyValue("startBackupJobRequest", BackupJobs.toApiRequest(request, backupToken).toString())
                .log("Dry run: this request would be sent to AWS Backup");
        String now = BackupJob.formatCreationDate(Instant.now());
        return new StartedJob(new BackupJob("dry-run-" + backupToken, null, now, false), Outcome.DRY_RUN);
    }
}
