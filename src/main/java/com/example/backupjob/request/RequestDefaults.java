package com.example.backupjob.request;

import com.example.backupjob.request.RequestValidator.Completeness;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Request fields that apply when a request leaves them out; RecoveryPointTags are merged, the request's tags winning.
 */
public final class RequestDefaults {

    private final ObjectNode fields;

    private RequestDefaults(ObjectNode fields) {
        this.fields = fields;
    }

    /**
     * Validates defaults with the request rules, except that nothing is required.
     *
     * @throws IllegalArgumentException naming every problem
     */
    public static RequestDefaults of(JsonNode fields) {
        if (!fields.isObject()) {
            throw new IllegalArgumentException("must be a JSON object");
        }
        List<Violation> violations = new RequestValidator().validate(fields, Completeness.DEFAULTS);
        if (!violations.isEmpty()) {
            throw new IllegalArgumentException(RequestReader.describe(violations));
        }
        return new RequestDefaults(fields.deepCopy());
    }

    ObjectNode applyTo(ObjectNode request) {
        ObjectNode merged = fields.deepCopy();
        request.properties().forEach(field -> {
            JsonNode defaultValue = merged.get(field.getKey());
            if (field.getKey().equals("RecoveryPointTags") && defaultValue != null
                    && defaultValue.isObject() && field.getValue().isObject()) {
                ((ObjectNode) defaultValue).setAll((ObjectNode) field.getValue());
            } else {
                merged.set(field.getKey(), field.getValue());
            }
        });
        return merged;
    }
}
