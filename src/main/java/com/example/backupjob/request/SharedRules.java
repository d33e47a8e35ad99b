package com.example.backupjob.request;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The rules a request and a selection share, so that both say the same about the same input: the form of an ARN, the
 * limits of tag keys and values, and unknown keys.
 */
public final class SharedRules {

    // The same limits for StartBackupJob's RecoveryPointTags and the Tagging API's TagFilters.
    public static final int MAX_TAG_KEY_LENGTH = 128;
    public static final int MAX_TAG_VALUE_LENGTH = 256;
    private static final int MAX_NAME_IN_MESSAGE = 64;

    /** The start of an ARN in any partition: aws, aws-cn, aws-us-gov, ... */
    static final String PARTITION = "arn:aws(-[a-z]+)*:";
    private static final Pattern ARN = Pattern.compile("^" + PARTITION + "[a-z0-9-]+:[a-z0-9-]*:(\\d{12})?:[^\\s\\p{Cntrl}]+$");
    /** A backup vault's ARN; its name follows BackupVaultName's pattern (service model). */
    public static final Pattern BACKUP_VAULT_ARN = Pattern.compile(
            "^" + PARTITION + "backup:[a-z0-9-]+:\\d{12}:backup-vault:[a-zA-Z0-9\\-_]{2,50}$");

    private SharedRules() {
    }

    /** What is wrong with a value that must be an ARN, if anything. */
    public static Optional<String> arnProblem(String value) {
        return ARN.matcher(value).matches() ? Optional.empty()
                : Optional.of("must be an ARN (arn:<partition>:<service>:<region>:<account>:<resource>)");
    }

    /** What is wrong with a tag key, if anything; a request's tags have a rule of their own on top (no aws:). */
    public static Optional<String> tagKeyProblem(String key) {
        return !key.isEmpty() && key.length() <= MAX_TAG_KEY_LENGTH ? Optional.empty()
                : Optional.of("tag keys must be 1 to " + MAX_TAG_KEY_LENGTH + " characters");
    }

    /** What is wrong with a tag value, if anything; the message never quotes the value. */
    public static Optional<String> tagValueProblem(String value) {
        return value.length() <= MAX_TAG_VALUE_LENGTH ? Optional.empty()
                : Optional.of("tag values must be at most " + MAX_TAG_VALUE_LENGTH + " characters");
    }

    /**
     * Every key of an object that is not a known field, each with a hint when it differs from one only in case
     * (ResourceARN for ResourceArn).
     *
     * @param prefix the object's path as it is to be reported, e.g. {@code Lifecycle.}
     */
    public static List<Violation> unknownKeys(JsonNode object, String prefix, List<String> known) {
        List<Violation> unknown = new ArrayList<>();
        object.fieldNames().forEachRemaining(key -> {
            if (!known.contains(key)) {
                String hint = known.stream()
                        .filter(candidate -> candidate.equalsIgnoreCase(key))
                        .findFirst()
                        .map(candidate -> " (did you mean " + candidate + "?)")
                        .orElse("");
                unknown.add(new Violation(prefix + fieldName(key), Violation.Kind.INVALID_REQUEST,
                        "is not a known field" + hint));
            }
        });
        return unknown;
    }

    /** A key as a message names it: a key of any length is the caller's input, so a long one is cut short. */
    public static String fieldName(String key) {
        return key.length() <= MAX_NAME_IN_MESSAGE ? key : key.substring(0, MAX_NAME_IN_MESSAGE) + "...";
    }
}
