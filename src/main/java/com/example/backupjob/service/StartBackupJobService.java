package com.example.backupjob.service;

import com.example.backupjob.backup.BackupJob;
import com.example.backupjob.idempotency.IdempotencyKeys;
import com.example.backupjob.idempotency.IdempotentBackupJobs;
import com.example.backupjob.request.BackupRequest;
import com.example.backupjob.request.RequestReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Validates one request, then starts its backup job once, however often it is delivered. */
public final class StartBackupJobService {

    private static final Logger LOG = LoggerFactory.getLogger(StartBackupJobService.class);

    private final RequestReader requests;
    private final IdempotentBackupJobs backupJobs;

    public StartBackupJobService(RequestReader requests, IdempotentBackupJobs backupJobs) {
        this.requests = requests;
        this.backupJobs = backupJobs;
    }

    public BackupJob start(IncomingRequest incoming) {
        BackupRequest request = requests.read(incoming.request());
        String key = IdempotencyKeys.keyFor(request, incoming.eventId(), incoming.messageId());
        IdempotentBackupJobs.Start start = backupJobs.startOnce(IdempotencyKeys.backupToken(key, request), request);
        LOG.atInfo()
                .addKeyValue("BackupJobId", start.job().backupJobId())
                .addKeyValue("ResourceArn", request.resourceArn())
                .addKeyValue("BackupVaultName", request.backupVaultName())
                .addKeyValue("idempotencyKey", key)
                .addKeyValue("duplicate", start.duplicate())
                .log(start.duplicate() ? "Backup job already started for this request" : "Backup job started");
        return start.job();
    }
}
