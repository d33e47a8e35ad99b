package com.example.backupjob.tracking;

import com.example.backupjob.error.InvalidRequestException;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the tracker reads of an AWS Backup "Backup Job State Change" event: the job, its state and status message.
 * The resource is the one the job's own record names, written when the job started.
 */
public record JobStateChange(String backupJobId, String state, String statusMessage) {

    public static final String DETAIL_TYPE = "Backup Job State Change";

    /**
     * @throws InvalidRequestException when the event is not a job state change with a job id and a state
     */
    public static JobStateChange of(JsonNode event) {
        if (!event.isObject() || !DETAIL_TYPE.equals(event.path("detail-type").textValue())) {
            throw new InvalidRequestException("The event must be an AWS Backup \"" + DETAIL_TYPE + "\" event");
        }
        JsonNode detail = event.path("detail");
        String jobId = detail.path("backupJobId").textValue();
        String state = detail.path("state").textValue();
        if (jobId == null || jobId.isBlank() || state == null) {
            throw new InvalidRequestException("detail.backupJobId and detail.state must be strings");
        }
        return new JobStateChange(jobId, state, detail.path("statusMessage").textValue());
    }
}
