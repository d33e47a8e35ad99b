package com.example.backupjob.copy;

import com.example.backupjob.error.InvalidRequestException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * One AWS Backup "Backup Job State Change" event as the copy queue delivers it, and what it means for copies: a
 * recovery point of the source vault to copy, or a reason to leave it alone.
 */
public record JobStateChange(String eventId, String backupJobId, String state, String vaultName, String resourceArn,
        String recoveryPointArn, boolean startedByPlan) {

    static final String DETAIL_TYPE = "Backup Job State Change";

    /**
     * Reads the event. The recovery point is the event's one {@code resources} entry, as AWS Backup sends it with a
     * COMPLETED job (the detail has no field for it).
     *
     * @throws InvalidRequestException when it is no Backup Job State Change event of AWS Backup
     */
    public static JobStateChange read(JsonNode event) {
        if (!event.isObject() || !"aws.backup".equals(event.path("source").textValue())
                || !DETAIL_TYPE.equals(event.path("detail-type").textValue()) || !event.path("detail").isObject()) {
            throw new InvalidRequestException("The message is not an AWS Backup \"" + DETAIL_TYPE + "\" event");
        }
        JsonNode detail = event.path("detail");
        String jobId = detail.path("backupJobId").textValue();
        if (jobId == null || jobId.isBlank()) {
            throw new InvalidRequestException("detail.backupJobId: the event names no backup job");
        }
        JsonNode resources = event.path("resources");
        String recoveryPoint = resources.isArray() && resources.size() == 1 ? resources.get(0).textValue() : null;
        return new JobStateChange(event.path("id").textValue(), jobId, detail.path("state").textValue(),
                detail.path("backupVaultName").textValue(), detail.path("resourceArn").textValue(), recoveryPoint,
                detail.path("createdBy").has("backupPlanArn"));
    }

    /** Why its recovery point is not to be copied from the vault, if it is not. */
    public Optional<String> notToCopy(String sourceVaultName) {
        if (!"COMPLETED".equals(state)) {
            return Optional.of("the job is " + state + ", not COMPLETED");
        }
        if (!sourceVaultName.equals(vaultName)) {
            return Optional.of("the job is of another vault");
        }
        if (startedByPlan) {
            return Optional.of("a backup plan started the job; its own copy actions copy it");
        }
        if (recoveryPointArn == null || recoveryPointArn.isBlank()) {
            return Optional.of("the event names no recovery point");
        }
        return Optional.empty();
    }
}
