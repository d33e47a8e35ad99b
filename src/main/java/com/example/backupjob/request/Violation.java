package com.example.backupjob.request;

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

    @Override
    public String toString() {
        return field + ": " + message;
    }
}
