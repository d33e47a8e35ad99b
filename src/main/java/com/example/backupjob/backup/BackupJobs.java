package com.example.backupjob.backup;

import com.example.backupjob.deadline.InvocationDeadline;
import com.example.backupjob.error.AccessDeniedException;
import com.example.backupjob.error.BackupServiceException;
import com.example.backupjob.error.ErrorSource;
import com.example.backupjob.error.InvalidParameterValueException;
import com.example.backupjob.error.InvalidRequestException;
import com.example.backupjob.error.LimitExceededException;
import com.example.backupjob.error.MissingParameterValueException;
import com.example.backupjob.error.ResourceNotFoundException;
import com.example.backupjob.error.ServiceUnavailableException;
import com.example.backupjob.error.StartBackupJobException;
import com.example.backupjob.error.ThrottlingException;
import com.example.backupjob.pacing.SharedRequestRate;
import com.example.backupjob.request.BackupRequest;
import java.time.Instant;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.backup.BackupClient;
import software.amazon.awssdk.services.backup.model.Lifecycle;
import software.amazon.awssdk.services.backup.model.StartBackupJobRequest;
import software.amazon.awssdk.services.backup.model.StartBackupJobResponse;

/** Calls AWS Backup StartBackupJob and turns its errors into the function's error names. */
public final class BackupJobs {

    private final BackupClient backup;
    private final InvocationDeadline deadline;
    private final SharedRequestRate requestRate;

    public BackupJobs(BackupClient backup, InvocationDeadline deadline, SharedRequestRate requestRate) {
        this.backup = backup;
        this.deadline = deadline;
        this.requestRate = requestRate;
    }

    /**
     * Starts the job in a turn of the shared request rate; a call AWS Backup still throttles (other callers share the
     * quota) waits for another turn, as long as one is free before the invocation's deadline.
     *
     * @param idempotencyToken the token AWS Backup de-duplicates on, derived by the caller
     * @throws StartBackupJobException named after AWS Backup's error code; ThrottlingException also, from the shared
     *     request rate, when it has no call free before the invocation's deadline
     */
    public BackupJob start(BackupRequest request, String idempotencyToken) {
        StartBackupJobRequest apiRequest = toApiRequest(request, idempotencyToken);
        return requestRate.paced(() -> call(apiRequest), "start the job");
    }

    private BackupJob call(StartBackupJobRequest apiRequest) {
        try {
            StartBackupJobResponse response = backup.startBackupJob(apiRequest.toBuilder()
                    .overrideConfiguration(deadline.callOverrideBeforeStoreWrite())
                    .build());
            Instant created = response.creationDate();
            return new BackupJob(response.backupJobId(), response.recoveryPointArn(),
                    created == null ? null : BackupJob.formatCreationDate(created),
                    Boolean.TRUE.equals(response.isParent()));
        } catch (AwsServiceException e) {
            throw translate(e);
        } catch (ApiCallTimeoutException | AbortedException e) {
            throw e;
        } catch (SdkClientException e) {
            throw new ServiceUnavailableException(ErrorSource.AWS_BACKUP, "could not be reached: " + e.getMessage(), e);
        }
    }

    static StartBackupJobRequest toApiRequest(BackupRequest request, String idempotencyToken) {
        BackupRequest.Lifecycle lifecycle = request.lifecycle();
        return StartBackupJobRequest.builder()
                .backupVaultName(request.backupVaultName())
                .logicallyAirGappedBackupVaultArn(request.logicallyAirGappedBackupVaultArn())
                .resourceArn(request.resourceArn())
                .iamRoleArn(request.iamRoleArn())
                .idempotencyToken(idempotencyToken)
                .startWindowMinutes(request.startWindowMinutes())
                .completeWindowMinutes(request.completeWindowMinutes())
                .lifecycle(lifecycle == null ? null : Lifecycle.builder()
                        .moveToColdStorageAfterDays(lifecycle.moveToColdStorageAfterDays())
                        .deleteAfterDays(lifecycle.deleteAfterDays())
                        .optInToArchiveForSupportedResources(lifecycle.optInToArchiveForSupportedResources())
                        .build())
                .recoveryPointTags(request.recoveryPointTags())
                .backupOptions(request.backupOptions())
                .index(request.index())
                .build();
    }

    /** Every AWS Backup error under its own code, with the service's message; for every AWS Backup call. */
    public static StartBackupJobException translate(AwsServiceException e) {
        AwsErrorDetails details = e.awsErrorDetails();
        String code = details == null || details.errorCode() == null ? "UnknownError" : details.errorCode();
        String message = details == null || details.errorMessage() == null ? e.getMessage() : details.errorMessage();
        ErrorSource backup = ErrorSource.AWS_BACKUP;
        return switch (code) {
            case "ResourceNotFoundException" -> new ResourceNotFoundException(backup, message, e);
            case "InvalidParameterValueException" -> new InvalidParameterValueException(backup, message, e);
            case "MissingParameterValueException" -> new MissingParameterValueException(backup, message, e);
            case "InvalidRequestException" -> new InvalidRequestException(backup, message, e);
            case "ServiceUnavailableException" -> new ServiceUnavailableException(backup, message, e);
            case "LimitExceededException" -> new LimitExceededException(backup, message, e);
            case "ThrottlingException" -> new ThrottlingException(backup, message, e);
            case "AccessDeniedException" -> new AccessDeniedException(backup, message, e);
            default -> new BackupServiceException(backup, code, message,
                    e.isThrottlingException() || e.statusCode() >= 500, e);
        };
    }
}
