package com.example.backupjob.selection;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What one selection did: how many resources matched its tags, how many requests it queued, and what it skipped. */
public record SelectionResult(
        @JsonProperty("SelectionKey") String selectionKey,
        @JsonProperty("Matched") int matched,
        @JsonProperty("Queued") int queued,
        @JsonProperty("Skipped") Skipped skipped) {

    /** Matched resources left out, by reason. */
    public record Skipped(
            @JsonProperty("UnsupportedType") int unsupportedType,
            @JsonProperty("NotResources") int notResources) {
    }
}
