package com.example.backupjob.service;

import com.example.backupjob.backup.BackupJob;
import com.example.backupjob.backup.BackupJobStarter;
import com.example.backupjob.backup.BackupJobStarter.Outcome;
import com.example.backupjob.backup.BackupJobStarter.StartedJob;
import com.example.backupjob.idempotency.IdempotencyKeys;
import com.example.backupjob.request.BackupRequest;
import com.example.backupjob.request.RequestReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Validates one request, then starts its backup job once, however often it is delivered. */
public final class StartBackupJobService {

    private static final Logger LOG = LoggerFactory.getLogger(StartBackupJobService.class);

    private final RequestReader requests;
    private final BackupJobStarter backupJobs;

    public StartBackupJobService(RequestReader requests, BackupJobStarter backupJobs) {
        this.requests = requests;
        this.backupJobs = backupJobs;
    }

    public BackupJob start(IncomingRequest incoming) {
        return startRequest(incoming).job();
    }

    /** As {@link #start}, also saying how the request came to its job and which resource it backs up. */
    public StartedRequest startRequest(IncomingRequest incoming) {
        BackupRequest request = requests.read(incoming.request());
        String key = incoming.idempotencyKey(request.idempotencyToken());
        StartedJob started = backupJobs.start(IdempotencyKeys.backupToken(key, request), request);
        LOG.atInfo()
                .addKeyValue("BackupJobId", started.job().backupJobId())
                .addKeyValue("ResourceArn", request.resourceArn())
                .addKeyValue("BackupVaultName", request.backupVaultName())
                .addKeyValue("idempotencyKey", key)
                .addKeyValue("outcome", started.outcome())
                .log(started.outcome().description());
        return new StartedRequest(started.job(), started.outcome(), request.resourceArn());
    }

    /** A request's job (started now, found, or a dry run's), how the request came to it, and its resource. */
    public record StartedRequest(BackupJob job, Outcome outcome, String resourceArn) {
    }
}
