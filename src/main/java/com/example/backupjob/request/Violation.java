package com.example.backupjob.request;

import java.util.List;

/** One problem found in a request: the field's path, what kind of problem, and a message without the value. */
public record Violation(String field, Kind kind, String message) {

    /** The kinds of problem, in the order of precedence when one error reports several. */
    public enum Kind {
        /** Unknown key or wrong JSON type. */
        INVALID_REQUEST,
        /** Required field missing after defaults. */
        MISSING_VALUE,
        /** Value out of range or malformed. */
        INVALID_VALUE
    }

    /**
     * A key that is not a known field, with a hint when it differs from one only in case (ResourceARN for
     * ResourceArn).
     *
     * @param path the key's path as it is to be reported, e.g. {@code Lifecycle.DeleteAfterDay}
     */
    public static Violation unknownKey(String path, String key, List<String> known) {
        String hint = known.stream()
                .filter(candidate -> candidate.equalsIgnoreCase(key))
                .findFirst()
                .map(candidate -> " (did you mean " + candidate + "?)")
                .orElse("");
        return new Violation(path, Kind.INVALID_REQUEST, "is not a known field" + hint);
    }

    @Override
    public String toString() {
        return field + ": " + message;
    }
}
