package com.example.backupjob.selection;

import com.example.backupjob.error.InvalidParameterValueException;
import com.example.backupjob.error.InvalidRequestException;
import com.example.backupjob.error.StartBackupJobException;
import com.example.backupjob.request.BackupRequest;
import com.example.backupjob.request.RequestReader;
import com.example.backupjob.request.SharedRules;
import com.example.backupjob.request.Violation;
import com.example.backupjob.request.Violation.Kind;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Turns selection request JSON into a {@link SelectionRequest}: the selection and the template of its jobs checked
 * together, every problem reported at once with its field path, before any AWS call.
 */
public final class SelectionReader {

    // Limits of GetResources' TagFilters and ResourceTypeFilters (Resource Groups Tagging API reference); the
    // limits of each tag key and value are those of a request's tags, in SharedRules.
    private static final int MAX_TAG_KEYS = 50;
    private static final int MAX_TAG_VALUES = 20;
    private static final int MAX_RESOURCE_TYPES = 100;

    /*
     * A selection's key names its run: the record's key run#<key> (a DynamoDB partition key holds at most 2048
     * bytes), every request's SelectionKey attribute and an entry of runs#open, whose item all open runs share.
     */
    private static final int MAX_TOKEN_LENGTH = 256;
    /*
     * The run's record holds the validated selection, to resume from. A DynamoDB item holds at most 400 KB, which the
     * selection shares with the run's counters and the ARNs of the resources whose jobs did not complete.
     */
    static final int MAX_RECORDED_BYTES = 200_000;

    private static final List<String> SELECTION_FIELDS = List.of("Tags", "ResourceTypes", "NotResources");
    private static final Pattern RESOURCE_TYPE = Pattern.compile("^[a-z0-9-]+(:[A-Za-z0-9-]+)?$");

    private final RequestReader requests;

    public SelectionReader(RequestReader requests) {
        this.requests = requests;
    }

    /**
     * @throws StartBackupJobException one error listing every problem, named after the most basic kind among them
     */
    public SelectionRequest read(JsonNode json) {
        if (!json.isObject()) {
            throw new InvalidRequestException("The selection request must be a JSON object");
        }
        ObjectNode template = json.deepCopy();
        Findings found = new Findings();
        Selection selection = found.selection(template.remove("Selection"));
        JsonNode token = template.get("IdempotencyToken");
        if (token != null && token.isTextual() && token.textValue().length() > MAX_TOKEN_LENGTH) {
            found.add("IdempotencyToken", Kind.INVALID_VALUE, "must be at most " + MAX_TOKEN_LENGTH
                    + " characters in a selection: it names the run");
        }
        BackupRequest jobTemplate = requests.readTemplate(template, found.violations);
        SelectionRequest request = new SelectionRequest(selection, jobTemplate);
        int recorded = request.toJson().getBytes(StandardCharsets.UTF_8).length;
        if (recorded > MAX_RECORDED_BYTES) {
            throw new InvalidParameterValueException("Selection: with the template of its jobs, takes " + recorded
                    + " bytes to record with its run, more than " + MAX_RECORDED_BYTES
                    + ": use fewer or shorter tag values");
        }
        return request;
    }

    /** The violations found in the Selection object, with what could be read of it. */
    private static final class Findings {

        private final List<Violation> violations = new ArrayList<>();

        private void add(String field, Kind kind, String message) {
            violations.add(new Violation(field, kind, message));
        }

        Selection selection(JsonNode selection) {
            Map<String, List<String>> tags = new TreeMap<>();
            List<String> resourceTypes = new ArrayList<>();
            List<String> notResources = new ArrayList<>();
            if (selection == null) {
                add("Selection", Kind.MISSING_VALUE, "is required");
            } else if (!selection.isObject()) {
                add("Selection", Kind.INVALID_REQUEST, "must be an object");
            } else {
                violations.addAll(SharedRules.unknownKeys(selection, "Selection.", SELECTION_FIELDS));
                tags(selection.get("Tags"), tags);
                strings(selection.get("ResourceTypes"), "Selection.ResourceTypes", type -> {
                    resourceTypes.add(type);
                    return RESOURCE_TYPE.matcher(type).matches() ? Optional.empty() : Optional.of(
                            "must be a resource type filter: service or service:type, e.g. dynamodb:table");
                });
                if (resourceTypes.size() > MAX_RESOURCE_TYPES) {
                    add("Selection.ResourceTypes", Kind.INVALID_VALUE,
                            "must have at most " + MAX_RESOURCE_TYPES + " types");
                }
                strings(selection.get("NotResources"), "Selection.NotResources", arn -> {
                    notResources.add(arn);
                    return SharedRules.arnProblem(arn);
                });
            }
            return new Selection(new TreeMap<>(tags), resourceTypes, notResources);
        }

        private void tags(JsonNode tags, Map<String, List<String>> read) {
            if (tags == null) {
                add("Selection.Tags", Kind.MISSING_VALUE, "is required");
                return;
            }
            if (!tags.isObject()) {
                add("Selection.Tags", Kind.INVALID_REQUEST, "must be an object of tag keys, each with its values");
                return;
            }
            if (tags.isEmpty() || tags.size() > MAX_TAG_KEYS) {
                add("Selection.Tags", Kind.INVALID_VALUE, "must have 1 to " + MAX_TAG_KEYS + " tag keys");
            }
            tags.properties().forEach(tag -> {
                String field = "Selection.Tags." + SharedRules.fieldName(tag.getKey());
                SharedRules.tagKeyProblem(tag.getKey()).ifPresent(problem -> add(field, Kind.INVALID_VALUE, problem));
                List<String> values = new ArrayList<>();
                strings(tag.getValue(), field, value -> {
                    values.add(value);
                    return SharedRules.tagValueProblem(value);
                });
                if (tag.getValue().isArray() && (tag.getValue().isEmpty() || tag.getValue().size() > MAX_TAG_VALUES)) {
                    add(field, Kind.INVALID_VALUE, "must have 1 to " + MAX_TAG_VALUES + " values");
                }
                read.put(tag.getKey(), List.copyOf(values));
            });
        }

        /** Reads an optional array of strings, checking each with a rule that answers its problem, if any. */
        private void strings(JsonNode array, String field, Function<String, Optional<String>> rule) {
            if (array == null) {
                return;
            }
            if (!array.isArray()) {
                add(field, Kind.INVALID_REQUEST, "must be an array of strings");
                return;
            }
            for (int i = 0; i < array.size(); i++) {
                JsonNode item = array.get(i);
                if (!item.isTextual()) {
                    add(field + "[" + i + "]", Kind.INVALID_REQUEST, "must be a string");
                    continue;
                }
                String path = field + "[" + i + "]";
                rule.apply(item.textValue()).ifPresent(problem -> add(path, Kind.INVALID_VALUE, problem));
            }
        }
    }
}
