package com.example.backupjob.selection;

import com.example.backupjob.request.BackupRequest;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A validated selection request: which resources, and the template of the job each of them gets (a request
 * without its ResourceArn, defaults applied).
 */
public record SelectionRequest(
        @JsonProperty("Selection") Selection selection,
        @JsonProperty("Template") BackupRequest template) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The request as its run's record holds it, to resume from: what was validated is what is queued. */
    String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A validated selection always serialises", e);
        }
    }

    static SelectionRequest fromJson(String json) {
        try {
            return JSON.readValue(json, SelectionRequest.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("The run's record holds a selection this function did not write", e);
        }
    }
}
