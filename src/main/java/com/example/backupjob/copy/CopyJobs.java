package com.example.backupjob.copy;

import com.example.backupjob.backup.BackupJobs;
import com.example.backupjob.deadline.InvocationDeadline;
import com.example.backupjob.error.ErrorSource;
import com.example.backupjob.error.ServiceUnavailableException;
import com.example.backupjob.error.StartBackupJobException;
import com.example.backupjob.pacing.SharedRequestRate;
import com.example.backupjob.request.BackupRequest;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.backup.BackupClient;
import software.amazon.awssdk.services.backup.model.Lifecycle;
import software.amazon.awssdk.services.backup.model.StartCopyJobRequest;

/** Calls AWS Backup StartCopyJob under the shared StartCopyJob rate and turns its errors into the error names. */
public final class CopyJobs {

    private final BackupClient backup;
    private final InvocationDeadline deadline;
    private final SharedRequestRate requestRate;

    public CopyJobs(BackupClient backup, InvocationDeadline deadline, SharedRequestRate requestRate) {
        this.backup = backup;
        this.deadline = deadline;
        this.requestRate = requestRate;
    }

    /** What a copy asks of AWS Backup. */
    public record CopyRequest(String recoveryPointArn, String sourceVaultName, String destinationVaultArn,
            String iamRoleArn, String idempotencyToken, BackupRequest.Lifecycle lifecycle) {
    }

    /**
     * Starts the copy in a turn of the shared rate; a call AWS Backup still throttles waits for another turn while one
     * is free before the invocation's deadline, as a StartBackupJob call does.
     *
     * @return the copy job's id; the first call's, when AWS Backup knows the token already
     * @throws StartBackupJobException named after AWS Backup's error code, or ThrottlingException from the rate
     */
    public String start(CopyRequest copy) {
        StartCopyJobRequest request = toApiRequest(copy);
        return requestRate.paced(() -> call(request), "start the copy");
    }

    private String call(StartCopyJobRequest request) {
        try {
            return backup.startCopyJob(request.toBuilder().overrideConfiguration(deadline.callOverride()).build())
                    .copyJobId();
        } catch (AwsServiceException e) {
            throw BackupJobs.translate(e);
        } catch (ApiCallTimeoutException | AbortedException e) {
            throw e;
        } catch (SdkClientException e) {
            throw new ServiceUnavailableException(ErrorSource.AWS_BACKUP, "could not be reached: " + e.getMessage(), e);
        }
    }

    static StartCopyJobRequest toApiRequest(CopyRequest copy) {
        BackupRequest.Lifecycle lifecycle = copy.lifecycle();
        return StartCopyJobRequest.builder()
                .recoveryPointArn(copy.recoveryPointArn())
                .sourceBackupVaultName(copy.sourceVaultName())
                .destinationBackupVaultArn(copy.destinationVaultArn())
                .iamRoleArn(copy.iamRoleArn())
                .idempotencyToken(copy.idempotencyToken())
                .lifecycle(lifecycle == null ? null : Lifecycle.builder()
                        .moveToColdStorageAfterDays(lifecycle.moveToColdStorageAfterDays())
                        .deleteAfterDays(lifecycle.deleteAfterDays())
                        .optInToArchiveForSupportedResources(lifecycle.optInToArchiveForSupportedResources())
                        .build())
                .build();
    }
}
