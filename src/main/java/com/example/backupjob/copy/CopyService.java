package com.example.backupjob.copy;

import com.example.backupjob.backup.JobMarkers;
import com.example.backupjob.copy.CopyJobs.CopyRequest;
import com.example.backupjob.error.StartBackupJobException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Copies the recovery point of a completed job this stack started once to every destination vault: one StartCopyJob
 * per destination under a token of the recovery point and the destination.
 */
public final class CopyService {

    private static final Logger LOG = LoggerFactory.getLogger(CopyService.class);

    private final CopyConfiguration configuration;
    private final JobMarkers markers;
    private final CopyJobs copyJobs;

    public CopyService(CopyConfiguration configuration, JobMarkers markers, CopyJobs copyJobs) {
        this.configuration = configuration;
        this.markers = markers;
        this.copyJobs = copyJobs;
    }

    /**
     * Copies the event's recovery point to every destination, each on its own: a destination that fails does not
     * stop the others.
     *
     * @throws StartBackupJobException the first destination's failure, once every destination was tried; the
     *     event is then delivered again, and the destinations already copied answer with their first copy job
     */
    public void copy(JsonNode event) {
        JobStateChange change = JobStateChange.read(event);
        Optional<String> notToCopy = change.notToCopy(configuration.sourceVaultName());
        if (notToCopy.isEmpty() && !markers.isMarked(change.backupJobId())) {
            notToCopy = Optional.of("this stack did not start the job (it has no job# mark)");
        }
        if (notToCopy.isPresent()) {
            LOG.atInfo()
                    .addKeyValue("BackupJobId", change.backupJobId())
                    .addKeyValue("reason", notToCopy.get())
                    .addKeyValue("outcome", "NOT_COPIED")
                    .log("Recovery point not copied: {}", notToCopy.get());
            return;
        }
        StartBackupJobException first = null;
        for (String destination : configuration.destinationVaultArns()) {
            try {
                String copyJobId = copyJobs.start(new CopyRequest(change.recoveryPointArn(),
                        configuration.sourceVaultName(), destination, configuration.backupRoleArn(),
                        CopyTokens.copyToken(change.recoveryPointArn(), destination), configuration.lifecycle()));
                LOG.atInfo()
                        .addKeyValue("CopyJobId", copyJobId)
                        .addKeyValue("BackupJobId", change.backupJobId())
                        .addKeyValue("RecoveryPointArn", change.recoveryPointArn())
                        .addKeyValue("DestinationBackupVaultArn", destination)
                        .addKeyValue("outcome", "COPY_STARTED")
                        .log("Copy job started");
            } catch (StartBackupJobException e) {
                LOG.atLevel(e.isRetryable() ? Level.ERROR : Level.WARN)
                        .addKeyValue("BackupJobId", change.backupJobId())
                        .addKeyValue("RecoveryPointArn", change.recoveryPointArn())
                        .addKeyValue("DestinationBackupVaultArn", destination)
                        .addKeyValue("copyErrorType", e.errorName())
                        .addKeyValue("errorSource", e.source().label())
                        .addKeyValue("retryable", e.isRetryable())
                        .log("Copy to this destination not started; the other destinations go on: {}", e.getMessage());
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
