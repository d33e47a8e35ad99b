package com.example.backupjob.selection;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Where a selection run stands after an invocation: how many resources matched its tags, how many requests it
 * queued and what it skipped, over the whole run so far, and whether every page is queued.
 *
 * @param complete false when the run was handed on to another invocation (or another invocation carries it on)
 */
public record SelectionResult(
        @JsonProperty("SelectionKey") String selectionKey,
        @JsonProperty("Matched") long matched,
        @JsonProperty("Queued") long queued,
        @JsonProperty("Skipped") Skipped skipped,
        @JsonProperty("Complete") boolean complete) {

    /** Matched resources left out, by reason. */
    public record Skipped(
            @JsonProperty("UnsupportedType") long unsupportedType,
            @JsonProperty("OptedOut") long optedOut,
            @JsonProperty("NotResources") long notResources) {
    }
}
