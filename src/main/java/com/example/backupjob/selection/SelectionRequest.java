package com.example.backupjob.selection;

import com.example.backupjob.request.BackupRequest;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A validated selection request: which resources, and the template of the job each of them gets (a request
 * without its ResourceArn, defaults applied).
 */
public record SelectionRequest(
        @JsonProperty("Selection") Selection selection,
        @JsonProperty("Template") BackupRequest template) {
}
