package com.example.backupjob.request;

import com.example.backupjob.error.InvalidParameterValueException;
import com.example.backupjob.error.InvalidRequestException;
import com.example.backupjob.error.MissingParameterValueException;
import com.example.backupjob.error.StartBackupJobException;
import com.example.backupjob.request.RequestValidator.Completeness;
import com.example.backupjob.request.Violation.Kind;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Turns request JSON into a {@link BackupRequest}: defaults applied, every rule checked, before any AWS call. */
public final class RequestReader {

    private static final int MAX_PROBLEMS_DESCRIBED = 20;

    private final RequestDefaults defaults;
    private final RequestValidator validator = new RequestValidator();

    public RequestReader(RequestDefaults defaults) {
        this.defaults = defaults;
    }

    /**
     * @throws StartBackupJobException one error listing every problem, named after the most basic kind among them
     */
    public BackupRequest read(JsonNode json) {
        if (!json.isObject()) {
            throw new InvalidRequestException("The request must be a JSON object");
        }
        ObjectNode request = defaults.applyTo((ObjectNode) json);
        List<Violation> violations = validator.validate(request, Completeness.REQUEST);
        if (!violations.isEmpty()) {
            throw rejection(violations);
        }
        return toRecord(request);
    }

    /**
     * Reads the template of the jobs of a selection: a request without its ResourceArn, defaults applied (a default
     * ResourceArn among them is left out), checked with the request rules together with the selection's own findings.
     *
     * @param selectionViolations what is wrong with the rest of the selection request, reported in the same error
     * @throws StartBackupJobException one error listing every problem, as {@link #read} does
     */
    public BackupRequest readTemplate(ObjectNode json, List<Violation> selectionViolations) {
        List<Violation> violations = new ArrayList<>(selectionViolations);
        if (json.has("ResourceArn")) {
            violations.add(new Violation("ResourceArn", Kind.INVALID_REQUEST,
                    "is not a template field: each selected resource is backed up under its own ARN"));
        }
        ObjectNode template = defaults.applyTo(json);
        template.remove("ResourceArn");
        violations.addAll(validator.validate(template, Completeness.TEMPLATE));
        if (!violations.isEmpty()) {
            throw rejection(violations);
        }
        return toRecord(template);
    }

    /** Every problem, or the first 20 and how many more: one message, one log line, of bounded size. */
    static String describe(List<Violation> violations) {
        String problems = violations.stream().limit(MAX_PROBLEMS_DESCRIBED).map(Violation::toString)
                .collect(Collectors.joining("; "));
        if (violations.size() > MAX_PROBLEMS_DESCRIBED) {
            problems += "; and " + (violations.size() - MAX_PROBLEMS_DESCRIBED) + " more";
        }
        return violations.size() == 1 ? problems : violations.size() + " problems: " + problems;
    }

    private static StartBackupJobException rejection(List<Violation> violations) {
        Kind kind = violations.stream().map(Violation::kind).min(Comparator.naturalOrder()).orElseThrow();
        String message = describe(violations);
        return switch (kind) {
            case INVALID_REQUEST -> new InvalidRequestException(message);
            case MISSING_VALUE -> new MissingParameterValueException(message);
            case INVALID_VALUE -> new InvalidParameterValueException(message);
        };
    }

    private static BackupRequest toRecord(ObjectNode request) {
        JsonNode lifecycle = request.get("Lifecycle");
        return new BackupRequest(
                text(request, "BackupVaultName"),
                text(request, "LogicallyAirGappedBackupVaultArn"),
                text(request, "ResourceArn"),
                text(request, "IamRoleArn"),
                text(request, "IdempotencyToken"),
                number(request, "StartWindowMinutes"),
                number(request, "CompleteWindowMinutes"),
                lifecycle == null ? null : new BackupRequest.Lifecycle(
                        number(lifecycle, "MoveToColdStorageAfterDays"),
                        number(lifecycle, "DeleteAfterDays"),
                        lifecycle.has("OptInToArchiveForSupportedResources")
                                ? lifecycle.get("OptInToArchiveForSupportedResources").booleanValue()
                                : null),
                stringMap(request.get("RecoveryPointTags")),
                stringMap(request.get("BackupOptions")),
                text(request, "Index"));
    }

    private static String text(JsonNode parent, String field) {
        return parent.has(field) ? parent.get(field).textValue() : null;
    }

    private static Long number(JsonNode parent, String field) {
        return parent.has(field) ? parent.get(field).longValue() : null;
    }

    private static Map<String, String> stringMap(JsonNode object) {
        if (object == null) {
            return null;
        }
        Map<String, String> sorted = new TreeMap<>();
        object.properties().forEach(entry -> sorted.put(entry.getKey(), entry.getValue().textValue()));
        return Collections.unmodifiableMap(sorted);
    }
}
