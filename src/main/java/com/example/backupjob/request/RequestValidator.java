package com.example.backupjob.request;

import com.example.backupjob.request.Violation.Kind;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** Checks request JSON against every rule of the contract and collects all violations, not just the first. */
final class RequestValidator {

    // Limits from the StartBackupJob reference and the service model (backup/2018-11-15).
    private static final long MAX_WINDOW_MINUTES = 52_560_000L;
    private static final long MIN_START_WINDOW_MINUTES = 60L;
    private static final long MAX_RETENTION_DAYS = 36_500L;
    private static final long MIN_COLD_STORAGE_DAYS = 90L;
    private static final int MAX_TAGS = 50;

    private static final Pattern VAULT_NAME = Pattern.compile("^[a-zA-Z0-9\\-_]{2,50}$");
    private static final Pattern ROLE_ARN =
            Pattern.compile("^" + SharedRules.PARTITION + "iam::\\d{12}:role/[\\w+=,.@/-]{1,512}$");
    private static final Pattern VAULT_ARN = SharedRules.BACKUP_VAULT_ARN;

    static final List<String> REQUEST_FIELDS = List.of(
            "BackupVaultName", "LogicallyAirGappedBackupVaultArn", "ResourceArn", "IamRoleArn", "IdempotencyToken",
            "StartWindowMinutes", "CompleteWindowMinutes", "Lifecycle", "RecoveryPointTags", "BackupOptions", "Index");
    private static final List<String> REQUIRED_FIELDS = List.of("BackupVaultName", "ResourceArn", "IamRoleArn");
    // DeleteAfterEvent is an API field, rejected with its own message rather than as unknown.
    private static final List<String> LIFECYCLE_KEYS = List.of(
            "MoveToColdStorageAfterDays", "DeleteAfterDays", "OptInToArchiveForSupportedResources", "DeleteAfterEvent");
    private static final Set<String> WINDOWS_VSS_VALUES = Set.of("enabled", "disabled");
    private static final Set<String> INDEX_VALUES = Set.of("ENABLED", "DISABLED");

    /**
     * Which required fields must be present: all for a request, none for a set of defaults, all but ResourceArn for
     * the template of a selection's jobs (each selected resource gives its own).
     */
    enum Completeness { REQUEST, DEFAULTS, TEMPLATE }

    List<Violation> validate(JsonNode request, Completeness completeness) {
        var found = new Findings();
        found.unknownKeys(request, "", REQUEST_FIELDS);
        if (completeness != Completeness.DEFAULTS) {
            REQUIRED_FIELDS.stream()
                    .filter(field -> completeness == Completeness.REQUEST || !field.equals("ResourceArn"))
                    .filter(field -> !request.has(field))
                    .forEach(field -> found.add(field, Kind.MISSING_VALUE, "is required"));
        }
        found.matching(request, "BackupVaultName", VAULT_NAME,
                "must be 2 to 50 characters: letters, digits, '-' or '_'");
        found.matching(request, "LogicallyAirGappedBackupVaultArn", VAULT_ARN,
                "must be a backup vault ARN (arn:aws:backup:<region>:<account>:backup-vault:<name>)");
        found.text(request, "ResourceArn")
                .ifPresent(arn -> found.problem("ResourceArn", SharedRules.arnProblem(arn)));
        found.matching(request, "IamRoleArn", ROLE_ARN,
                "must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)");
        found.text(request, "IdempotencyToken")
                .ifPresent(token -> found.problem("IdempotencyToken", tokenProblem(token)));
        found.integer(request, "", "StartWindowMinutes")
                .ifPresent(minutes -> found.range("StartWindowMinutes", minutes, MIN_START_WINDOW_MINUTES,
                        MAX_WINDOW_MINUTES));
        found.integer(request, "", "CompleteWindowMinutes")
                .ifPresent(minutes -> found.range("CompleteWindowMinutes", minutes, 1, MAX_WINDOW_MINUTES));
        found.object(request, "Lifecycle").ifPresent(found::lifecycle);
        found.object(request, "RecoveryPointTags").ifPresent(found::tags);
        found.object(request, "BackupOptions").ifPresent(found::backupOptions);
        found.text(request, "Index")
                .ifPresent(index -> found.check(INDEX_VALUES.contains(index), "Index", "must be ENABLED or DISABLED"));
        return found.violations;
    }

    /** The violations of one validation, with the type checks that feed them. */
    private static final class Findings {

        private final List<Violation> violations = new ArrayList<>();

        void add(String field, Kind kind, String message) {
            violations.add(new Violation(field, kind, message));
        }

        void check(boolean valid, String field, String message) {
            if (!valid) {
                add(field, Kind.INVALID_VALUE, message);
            }
        }

        void problem(String field, Optional<String> problem) {
            problem.ifPresent(message -> add(field, Kind.INVALID_VALUE, message));
        }

        void range(String field, long value, long min, long max) {
            check(value >= min && value <= max, field, "must be from " + min + " to " + max);
        }

        void unknownKeys(JsonNode object, String prefix, List<String> known) {
            violations.addAll(SharedRules.unknownKeys(object, prefix, known));
        }

        /** Checks a string field, when present, against its pattern. */
        void matching(JsonNode parent, String field, Pattern pattern, String message) {
            text(parent, field).ifPresent(value -> check(pattern.matcher(value).matches(), field, message));
        }

        Optional<String> text(JsonNode parent, String field) {
            return typed(parent, "", field, JsonNode::isTextual, "a string").map(JsonNode::textValue);
        }

        Optional<Long> integer(JsonNode parent, String prefix, String field) {
            return typed(parent, prefix, field, JsonNode::isIntegralNumber, "an integer")
                    .filter(node -> {
                        if (!node.canConvertToLong()) {
                            add(prefix + field, Kind.INVALID_VALUE, "is out of range");
                        }
                        return node.canConvertToLong();
                    })
                    .map(JsonNode::longValue);
        }

        Optional<JsonNode> object(JsonNode parent, String field) {
            return typed(parent, "", field, JsonNode::isObject, "an object");
        }

        /** The field's value if it is present and of the expected JSON type; a violation if it is of another. */
        private Optional<JsonNode> typed(JsonNode parent, String prefix, String field, Predicate<JsonNode> isType,
                String typeName) {
            JsonNode node = parent.get(field);
            if (node != null && !isType.test(node)) {
                add(prefix + field, Kind.INVALID_REQUEST, "must be " + typeName + ", not " + typeOf(node));
                return Optional.empty();
            }
            return Optional.ofNullable(node);
        }

        void lifecycle(JsonNode lifecycle) {
            if (lifecycle.has("DeleteAfterEvent")) {
                add("Lifecycle.DeleteAfterEvent", Kind.INVALID_VALUE, "is not valid as input");
            }
            unknownKeys(lifecycle, "Lifecycle.", LIFECYCLE_KEYS);
            Optional<Long> cold = integer(lifecycle, "Lifecycle.", "MoveToColdStorageAfterDays");
            Optional<Long> delete = integer(lifecycle, "Lifecycle.", "DeleteAfterDays");
            cold.ifPresent(days -> check(days >= 1, "Lifecycle.MoveToColdStorageAfterDays", "must be positive"));
            delete.ifPresent(days -> range("Lifecycle.DeleteAfterDays", days, 1, MAX_RETENTION_DAYS));
            if (cold.isPresent() && delete.isPresent()) {
                // At least 90 days in cold storage; subtracted, as cold + 90 could overflow a long.
                check(delete.get() - MIN_COLD_STORAGE_DAYS >= cold.get(), "Lifecycle.DeleteAfterDays",
                        "must be at least MoveToColdStorageAfterDays + " + MIN_COLD_STORAGE_DAYS);
            }
            typed(lifecycle, "Lifecycle.", "OptInToArchiveForSupportedResources", JsonNode::isBoolean, "a boolean");
        }

        void tags(JsonNode tags) {
            check(tags.size() <= MAX_TAGS, "RecoveryPointTags", "must have at most " + MAX_TAGS + " tags");
            tags.properties().forEach(tag -> {
                String key = tag.getKey();
                String field = "RecoveryPointTags." + SharedRules.fieldName(key);
                problem(field, SharedRules.tagKeyProblem(key));
                // A request's own rule: AWS reserves the prefix for the tags it sets (a selection may filter on them).
                check(!key.regionMatches(true, 0, "aws:", 0, 4), field, "tag keys must not start with 'aws:'");
                JsonNode value = tag.getValue();
                if (!value.isTextual()) {
                    add(field, Kind.INVALID_REQUEST, "must be a string, not " + typeOf(value));
                } else {
                    problem(field, SharedRules.tagValueProblem(value.textValue()));
                }
            });
        }

        void backupOptions(JsonNode options) {
            options.properties().forEach(option -> {
                String field = "BackupOptions." + SharedRules.fieldName(option.getKey());
                if (!option.getKey().equals("WindowsVSS")) {
                    add(field, Kind.INVALID_VALUE, "is not a backup option (only WindowsVSS is)");
                } else if (!option.getValue().isTextual()) {
                    add(field, Kind.INVALID_REQUEST, "must be a string, not " + typeOf(option.getValue()));
                } else {
                    check(WINDOWS_VSS_VALUES.contains(option.getValue().textValue()), field,
                            "must be enabled or disabled");
                }
            });
        }

        private static String typeOf(JsonNode node) {
            return switch (node.getNodeType()) {
                case NUMBER -> node.isIntegralNumber() ? "an integer" : "a decimal number";
                case STRING -> "a string";
                case BOOLEAN -> "a boolean";
                case NULL -> "null";
                case ARRAY -> "an array";
                case OBJECT, POJO -> "an object";
                default -> "a " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
            };
        }
    }

    /** What is wrong with a token: it is the idempotency key, which every log line of the request carries. */
    private static Optional<String> tokenProblem(String token) {
        if (token.isBlank()) {
            return Optional.of("must not be blank");
        }
        return token.chars().anyMatch(Character::isISOControl)
                ? Optional.of("must not contain control characters") : Optional.empty();
    }
}
