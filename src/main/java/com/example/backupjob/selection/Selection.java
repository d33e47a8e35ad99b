package com.example.backupjob.selection;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Which resources a selection backs up: those carrying every tag key with one of its values, of the given resource
 * types (any type when empty), less the listed ARNs.
 *
 * @param tags the Tagging API's TagFilters: each key with the values it may have, keys sorted so equal selections
 *     hash alike
 */
public record Selection(
        @JsonProperty("Tags") SortedMap<String, List<String>> tags,
        @JsonProperty("ResourceTypes") List<String> resourceTypes,
        @JsonProperty("NotResources") List<String> notResources) {

    public Selection {
        tags = Collections.unmodifiableSortedMap(new TreeMap<>(tags));
        resourceTypes = List.copyOf(resourceTypes);
        notResources = List.copyOf(notResources);
    }
}
