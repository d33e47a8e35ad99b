package com.example.backupjob.request;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * A validated StartBackupJob request with the defaults applied; field names as in the API.
 *
 * <p>Maps are sorted and unmodifiable, so equal requests serialise to equal JSON: the idempotency store binds a
 * token to the hash of that JSON.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BackupRequest(
        @JsonProperty("BackupVaultName") String backupVaultName,
        @JsonProperty("LogicallyAirGappedBackupVaultArn") String logicallyAirGappedBackupVaultArn,
        @JsonProperty("ResourceArn") String resourceArn,
        @JsonProperty("IamRoleArn") String iamRoleArn,
        @JsonProperty("IdempotencyToken") String idempotencyToken,
        @JsonProperty("StartWindowMinutes") Long startWindowMinutes,
        @JsonProperty("CompleteWindowMinutes") Long completeWindowMinutes,
        @JsonProperty("Lifecycle") Lifecycle lifecycle,
        @JsonProperty("RecoveryPointTags") Map<String, String> recoveryPointTags,
        @JsonProperty("BackupOptions") Map<String, String> backupOptions,
        @JsonProperty("Index") String index) {

    /** When a recovery point moves to cold storage and when it is deleted. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Lifecycle(
            @JsonProperty("MoveToColdStorageAfterDays") Long moveToColdStorageAfterDays,
            @JsonProperty("DeleteAfterDays") Long deleteAfterDays,
            @JsonProperty("OptInToArchiveForSupportedResources") Boolean optInToArchiveForSupportedResources) {
    }
}
