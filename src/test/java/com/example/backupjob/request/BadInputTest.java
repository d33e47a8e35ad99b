package com.example.backupjob.request;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.example.backupjob.config.Configuration;
import com.example.backupjob.handler.StartBackupJobHandler;
import com.example.backupjob.tooling.support.BackupStandIn;
import com.example.backupjob.tooling.support.LocalAws;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Generated input, mostly bad, sent to the real handler and judged by invariants that hold whatever the validation
 * rules say (the rules, with their messages, are rows of RequestValidationTest, EventShapesTest and
 * SelectionValidationTest): (1) every invocation answers, or fails under an error name of the contract (section 3);
 * (2) a rejection calls AWS Backup not at all and its message names a field or says the input is no JSON object, and
 * every call made is one AWS Backup accepts, at most one job per request; (3) no tag value appears in an error
 * message or a log line; (4) every invocation answers within {@link #LIMIT}; (5) an SQS batch lists exactly the
 * records that fail when each is sent alone. AWS Backup is {@link BackupStandIn}, which checks calls as the service.
 *
 * <p>The inputs are the samples of events/ as plain requests, EventBridge events and SQS batches, changed at random:
 * wrong JSON types, nulls, unknown and misspelt keys, empty, huge and multi-byte strings, numbers out of range or with
 * decimals, nested junk, malformed ARNs, many or reserved tags, duplicate keys, text cut short or followed by more,
 * text that is no JSON. Every tag value, and nothing else, carries {@link #SECRET}. The seed is fixed, so a failure
 * replays as it happened; {@code -Dbadinput.seed=N} generates another set. A failure names the seed, the input's
 * number and the input, its tag values masked.
 */
class BadInputTest {

    static final String SEED_PROPERTY = "badinput.seed";
    private static final long SEED = Long.getLong(SEED_PROPERTY, 20261125L);
    private static final int INPUTS = 1_600;
    private static final Duration LIMIT = Duration.ofSeconds(10);
    private static final String SECRET = "s3cr3t-t4g";
    private static final Set<String> REJECTIONS = Set.of("InvalidRequestException", "MissingParameterValueException",
            "InvalidParameterValueException");
    private static final List<String> ERROR_NAMES = Stream.concat(REJECTIONS.stream(), Stream.of(
            "ResourceNotFoundException", "ServiceUnavailableException", "LimitExceededException", "ThrottlingException",
            "IdempotencyAlreadyInProgressException", "AccessDeniedException", "IdempotencyStoreException",
            "BackupServiceException")).toList();
    private static final Pattern ERROR_TYPE = Pattern.compile("\"errorType\":\"([^\"]*)\"");
    private static final Pattern NO_JSON_OBJECT = Pattern.compile("not valid JSON|must be a JSON object");

    // The generator's vocabulary: the contract's names (section 1), values of every JSON type, odd text.
    private static final List<String> FIELDS = List.of("BackupVaultName", "LogicallyAirGappedBackupVaultArn",
            "ResourceArn", "IamRoleArn", "IdempotencyToken", "StartWindowMinutes", "CompleteWindowMinutes", "Lifecycle",
            "RecoveryPointTags", "BackupOptions", "Index", "MoveToColdStorageAfterDays", "DeleteAfterDays",
            "OptInToArchiveForSupportedResources", "DeleteAfterEvent", "WindowsVSS");
    private static final List<String> ENVELOPE = List.of("Records", "messageId", "body", "eventSource", "id",
            "detail", "detail-type", "source", "time", "resources", "version");
    private static final List<String> NUMBERS = List.of("0", "-1", "1", "59", "60", "61", "89", "90", "91", "365",
            "36410", "36500", "36501", "52560000", "52560001", "-0", "1.5", "60.0", "1e2", "6E1", "-0.0", "1e400",
            "9223372036854775807", "9223372036854775808", "-9223372036854775809", "1" + "0".repeat(40),
            "9".repeat(1_001));
    private static final List<String> VALUES = Stream.concat(NUMBERS.stream(), Stream.of("null", "true", "false",
            "\"\"", "\" \"", "\"60\"", "\"true\"", "[]", "[60]", "{}", "[{}]",
            "{\"a\": {\"b\": [null, {}, 1.5]}}", "\"ENABLED\"", "\"enabled\"", "\"DISABLED \"", "\"Default\"",
            "\"my vault\"", "\"" + "v".repeat(51) + "\"", "\"DELETE_AFTER_COPY\"", "\"arn:\"", "\"orders-table\"",
            "\"arn:aws:s3:::bucket name\"", "\"ARN:aws:s3:::bucket\"", "\"arn:aws:iam::123456789012:user/bob\"",
            "\"arn:aws:iam::12345678901:role/x\"", "\"arn:aws:backup:eu-west-1:123456789012:recovery-point:x\"",
            "\"arn:aws-cn:rds:cn-north-1:123456789012:db:c\"", "\"https://s3.amazonaws.com/bucket\"")).toList();
    // Multi-byte, combining, invisible, control characters and a lone surrogate; no quote or backslash.
    private static final int[] ALPHABET = ("abcdxyzABCXYZ0189 -_.:/=+@,;'!?*()[]{}<>&%$#~^|éÀÿĀſǅİＡ日本語ぁゔァヺ😀🙏"
            + "\u0301\u0000\u0001\t\n\r\u001F\u007F\u00A0\u200B\u2028\u202E\uFEFF\uD800").codePoints().toArray();
    // The requests of events/: plain, an EventBridge event's detail, an SQS message's body; valid or not.
    private static final List<ObjectNode> SAMPLE_REQUESTS = Stream.of(Stream.of("step-functions-input.json",
            "scheduler-input.json", "eventbridge-event.json", "scheduled-rule.json", "invalid-lifecycle.json",
            "invalid-many-problems.json", "invalid-unknown-key.json").map(LocalAws::event),
            LocalAws.parse(LocalAws.event("sqs-batch.json")).findValuesAsText("body").stream().limit(3))
            .flatMap(samples -> samples).map(LocalAws::parse)
            .map(json -> (ObjectNode) (json.has("detail") ? json.get("detail") : json)).toList();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final BackupStandIn BACKUP = BackupStandIn.start(Duration.ZERO);

    @RegisterExtension
    final LocalAws aws = new LocalAws();

    private StartBackupJobHandler withDefaults;
    private StartBackupJobHandler withoutDefaults;

    /** One invocation: its response or error, and the jobs AWS Backup started for it. */
    private record Call(String response, RuntimeException error, int jobs) {
    }

    /** One generated invocation: what it is, whether its deployment has no defaults, and its text. */
    private record Input(String kind, boolean noDefaults, String text) {
    }

    @BeforeEach
    void sampleDeploymentAndOneWithoutDefaultsBehindAnAwsBackupThatChecksLikeTheService() {
        withDefaults = aws.handler(Map.of(), BACKUP.endpoint());
        withoutDefaults = aws.handler(Map.of(Configuration.BACKUP_VAULT_NAME, "", Configuration.BACKUP_ROLE_ARN, "",
                Configuration.BACKUP_DEFAULTS, ""), BACKUP.endpoint());
    }

    @AfterAll
    static void stopTheStandIn() {
        BACKUP.close();
    }

    @TestFactory
    Stream<DynamicTest> everyInputIsAnsweredOrRejectedByNameBeforeAnyCallWithoutShowingTagValues() {
        return IntStream.range(0, INPUTS).mapToObj(number -> {
            Input input = new Generator(new Random(SEED ^ number * 0x9E3779B97F4A7C15L), number).input();
            return DynamicTest.dynamicTest("#" + number + " " + input.kind(), () -> {
                try {
                    holdsTheInvariants(input);
                } catch (Throwable e) {
                    throw new AssertionError(masked("Input #" + number + " of seed " + SEED + " (-D" + SEED_PROPERTY
                            + "=N for another), " + input.kind() + (input.noDefaults() ? " without defaults" : "")
                            + ", tag values masked:\n  " + readable(masked(input.text())) + "\n" + e), e.getCause());
                }
            });
        });
    }

    private void holdsTheInvariants(Input input) {
        StartBackupJobHandler handler = input.noDefaults() ? withoutDefaults : withDefaults;
        Call call = judged(handler, input.text());
        JsonNode response = call.error() == null ? LocalAws.parse(call.response()) : null;
        if (response != null && response.has("batchItemFailures")) {
            List<String> failed = response.get("batchItemFailures").findValuesAsText("itemIdentifier");
            List<JsonNode> records = LocalAws.parse(input.text()).get("Records").valueStream().toList();
            assertThat(failed).as("batchItemFailures").doesNotHaveDuplicates()
                    .isSubsetOf(records.stream().map(record -> record.get("messageId").textValue()).toList());
            assertThat(call.jobs()).as("jobs started, at most one per record that did not fail")
                    .isLessThanOrEqualTo(records.size() - failed.size());
            for (JsonNode record : records.size() > 1 ? records : List.<JsonNode>of()) {
                Call alone = judged(handler, "{\"Records\": [" + record + "]}");
                boolean failedAlone = !LocalAws.parse(alone.response()).get("batchItemFailures").isEmpty();
                assertThat(failed.contains(record.get("messageId").textValue()))
                        .as("record %s listed as failed in the batch, as it is alone", record.get("messageId"))
                        .isEqualTo(failedAlone);
                assertThat(alone.jobs()).as("jobs started for the record alone")
                        .isLessThanOrEqualTo(failedAlone ? 0 : 1);
            }
        } else if (response != null) {
            assertThat(response.path("BackupJobId").textValue()).as("BackupJobId of the response").isNotBlank();
            assertThat(call.jobs()).as("jobs started for one request").isLessThanOrEqualTo(1);
        }
    }

    /** Invokes the handler and checks what holds for every invocation: invariants 1 to 4. */
    private Call judged(StartBackupJobHandler handler, String event) {
        BACKUP.forgetStartAnswers();
        aws.clearLogs();
        int jobsBefore = BACKUP.jobsStarted();
        LocalAws.Outcome outcome = assertTimeoutPreemptively(LIMIT, () -> LocalAws.invoke(handler, event));
        // The status of each StartBackupJob call, a call the SDK retried counted twice.
        List<Integer> backupCalls = BACKUP.startAnswers();
        RuntimeException error = outcome.error();
        if (error != null) {
            String name = error.getClass().getSimpleName();
            if (!ERROR_NAMES.contains(name)) {
                throw new AssertionError("Failed with " + error + ", which is no error name of the contract", error);
            }
            for (Throwable cause = error; cause != null; cause = cause.getCause()) {
                assertThat(String.valueOf(cause.getMessage())).as("error message").doesNotContain(SECRET);
            }
            if (REJECTIONS.contains(name)) {
                assertThat(backupCalls).as("AWS Backup calls before the %s", name).isEmpty();
                assertThat(error.getMessage()).as("message of the %s", name).isNotBlank()
                        .matches(message -> NO_JSON_OBJECT.matcher(message).find()
                                || namesIn(event).anyMatch(message::contains), "names a field or says no JSON object");
            }
        }
        assertThat(aws.logText()).as("log lines").noneMatch(line -> line.contains(SECRET)).allMatch(line ->
                ERROR_TYPE.matcher(line).results().allMatch(errorType -> ERROR_NAMES.contains(errorType.group(1))),
                "report failures, an SQS record's too, under error names of the contract");
        assertThat(backupCalls).as("HTTP status of each AWS Backup call").allMatch(status -> status == 200);
        return new Call(outcome.response(), error, BACKUP.jobsStarted() - jobsBefore);
    }

    /** The names a rejection may give: the contract's, and the input's keys (their first 32 characters; may be ""). */
    private static Stream<String> namesIn(String event) {
        List<String> names = new ArrayList<>(FIELDS);
        names.addAll(ENVELOPE);
        try {
            // As the function reads it: UTF-8, where a lone surrogate became '?'.
            addKeys(JSON.readTree(new String(event.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)), names);
        } catch (JacksonException e) {
            // No JSON, so no keys: the message must say so.
        }
        return names.stream().map(name -> name.substring(0, Math.min(32, name.length())));
    }

    /** The keys at every level; an SQS body's are not needed, as a record's failure is no invocation's error. */
    private static void addKeys(JsonNode node, List<String> names) {
        node.properties().forEach(field -> names.add(field.getKey()));
        node.forEach(child -> addKeys(child, names));
    }

    /** Every tag value replaced, at any level of JSON escaping (in an SQS body too), up to its closing quote. */
    private static String masked(String text) {
        StringBuilder masked = new StringBuilder();
        int from = 0;
        for (int start = text.indexOf(SECRET); start >= 0; start = text.indexOf(SECRET, from)) {
            int end = start;
            while (end < text.length() && text.charAt(end) != '"' && !text.startsWith("\\\"", end)) {
                end += text.charAt(end) == '\\' ? 2 : 1;
            }
            masked.append(text, from, start).append("<tag value>");
            from = Math.min(end, text.length());
        }
        return masked.append(text.substring(from)).toString();
    }

    /** Long input shortened and control characters escaped, so that a failure stays readable. */
    private static String readable(String text) {
        String shown = text.length() <= 2_000 ? text : text.substring(0, 1_500) + "...(" + text.length()
                + " characters)..." + text.substring(text.length() - 200);
        return shown.codePoints().mapToObj(c -> c < 0x20 && c != '\n' || c == 0x7F || c >= 0xD800 && c <= 0xDFFF
                ? "\\u%04X".formatted(c) : Character.toString(c)).collect(Collectors.joining());
    }

    /** Makes input number {@code number} from its own random numbers, so that no input depends on another. */
    private record Generator(Random random, int number) {

        Input input() {
            boolean noDefaults = random.nextInt(4) == 0;
            int shape = random.nextInt(20);
            String kind = shape < 9 ? "plain request" : shape < 15 ? "EventBridge event" : "SQS batch";
            String text = render(shape < 9 ? request(noDefaults, 0) : shape < 15 ? eventBridgeEvent(noDefaults, 0)
                    : sqsBatch(noDefaults));
            return random.nextInt(4) > 0 ? new Input(kind, noDefaults, text)
                    : new Input(kind + ", damaged", noDefaults, damaged(text));
        }

        /** A sample request, mostly changed in one to three ways; without defaults, required fields mostly added. */
        private ObjectNode request(boolean noDefaults, int record) {
            // Half the time the sample with every field, so that a change is often the only problem.
            ObjectNode request = (random.nextBoolean() ? SAMPLE_REQUESTS.get(0) : pick(SAMPLE_REQUESTS)).deepCopy();
            if (random.nextBoolean()) {
                request.put("IdempotencyToken", "t-" + number + "-" + record);
            }
            for (String[] field : new String[][] {{"BackupVaultName", LocalAws.VAULT},
                    {"IamRoleArn", LocalAws.ROLE_ARN}, {"ResourceArn", LocalAws.DEFAULT_RESOURCE_ARN}}) {
                if (noDefaults && random.nextInt(5) > 0) {
                    request.putIfAbsent(field[0], NODES.textNode(field[1]));
                }
            }
            for (int changes = random.nextInt(8) == 0 ? 0 : 1 + random.nextInt(3); changes > 0; changes--) {
                change(request);
            }
            if (request.get("RecoveryPointTags") instanceof ObjectNode tags) {
                tags.properties().stream().filter(tag -> tag.getValue().isTextual())
                        .filter(tag -> !tag.getValue().textValue().isEmpty())
                        .forEach(tag -> tag.setValue(NODES.textNode(SECRET + tag.getValue().textValue()
                                .replaceAll("[\"\\\\]", "_"))));
            }
            return distinct(request, "IdempotencyToken", record);
        }

        private void change(ObjectNode request) {
            ObjectNode target = request;
            if (random.nextInt(3) == 0) {
                String field = pick("Lifecycle", "RecoveryPointTags", "BackupOptions");
                target = request.get(field) instanceof ObjectNode object ? object : request.putObject(field);
            }
            List<String> keys = target.propertyStream().map(Map.Entry::getKey).toList();
            String key = !keys.isEmpty() && random.nextInt(4) > 0 ? pick(keys) : pick(FIELDS);
            JsonNode value = target.path(key);
            switch (random.nextInt(8)) {
                case 0 -> target.set(key, raw(pick(VALUES)));
                case 1 -> target.remove(key);
                case 2 -> target.set(changed(key), target.has(key) ? target.remove(key) : raw(pick(VALUES)));
                case 3 -> request.set("RecoveryPointTags", tags());
                case 4 -> target.set(key, raw(nested(pick(1, 2, 15, 250, 501))));
                // Text for text, else a number: often the only problem of the request.
                default -> target.set(key, value.isTextual() ? NODES.textNode(changed(value.textValue()))
                        : raw(random.nextBoolean() ? pick(NUMBERS) : "" + (random.nextLong() >> random.nextInt(64))));
            }
        }

        /** A key or value in another case, cut short, blank, huge, with odd characters, or other text. */
        private String changed(String text) {
            int at = random.nextInt(text.length() + 1);
            return switch (random.nextInt(10)) {
                case 0 -> pick("", " ", "\t\n");
                case 1 -> text + "x".repeat(pick(200, 100_000));
                case 2 -> text.substring(0, at);
                case 3 -> text.toLowerCase(Locale.ROOT);
                case 4 -> text.substring(0, at) + text.substring(at).toUpperCase(Locale.ROOT);
                case 5 -> at < text.length() ? text.substring(0, at) + text.substring(at + 1) : text + "s";
                case 6 -> text.substring(0, at) + text(1, 3) + text.substring(at);
                case 7 -> text.replace(":", pick("::", "/", ": ", ""));
                case 8 -> pick(" ", "\u200B", "\"", "\\") + text + pick("", " ", "s", "\"");
                default -> text(0, 60);
            };
        }

        /** None to many tags, with reserved, empty, long or multi-byte keys and long or wrongly typed values. */
        private ObjectNode tags() {
            ObjectNode tags = NODES.objectNode();
            int count = pick(0, 1, 2, 3, 5, 50, 51, 300);
            for (int i = 0; i < count; i++) {
                String key = random.nextInt(4) > 0 ? "tag-" + i : pick("aws:x", "AWS:Name", "Aws:y", "aws", "",
                        "k".repeat(128), "k".repeat(129), "日本語", "😀", "\u0000", "a b", text(1, 40));
                int length = count > 5 ? pick(0, 10) : pick(0, 10, 246, 247, 1_000, 100_000);
                tags.set(key, random.nextInt(8) > 0 ? NODES.textNode(text(length, length)) : raw(pick(VALUES)));
            }
            return tags;
        }

        /** Arrays and objects nested twice {@code depth} deep; the parser refuses more than 1,000. */
        private static String nested(int depth) {
            return "[{\"a\": ".repeat(depth) + "1" + "}]".repeat(depth);
        }

        private ObjectNode eventBridgeEvent(boolean noDefaults, int record) {
            ObjectNode event = (ObjectNode) LocalAws.parse(LocalAws.event(pick("eventbridge-event.json",
                    "scheduled-rule.json")));
            event.put("id", "e-" + number + "-" + record).set("detail", request(noDefaults, record));
            if (random.nextInt(4) == 0) {
                replaceOrRemove(event, pick(ENVELOPE));
            }
            return distinct(event, "id", record);
        }

        private ObjectNode sqsBatch(boolean noDefaults) {
            ObjectNode event = (ObjectNode) LocalAws.parse(LocalAws.event("sqs-batch.json"));
            ObjectNode sample = (ObjectNode) event.get("Records").get(0);
            ArrayNode records = event.putArray("Records");
            for (int i = 1 + random.nextInt(3); i > 0; i--) {
                ObjectNode record = sample.deepCopy().put("messageId", "m-" + number + "-" + i);
                records.add(record);
                switch (random.nextInt(8)) {
                    case 0, 1, 2, 3 -> record.put("body", render(request(noDefaults, i)));
                    case 4, 5 -> record.put("body", render(eventBridgeEvent(noDefaults, i)));
                    case 6 -> record.put("body", damaged(render(request(noDefaults, i))));
                    default -> replaceOrRemove(record, "body");
                }
            }
            if (random.nextInt(6) == 0) {
                replaceOrRemove((ObjectNode) records.get(random.nextInt(records.size())),
                        pick("messageId", "eventSource", "receiptHandle", "attributes", "md5OfBody", "awsRegion"));
            } else if (random.nextInt(30) == 0) {
                records.removeAll();
            }
            return event;
        }

        /** The text cut short, followed by more, with a duplicate key or a syntax error, or replaced by no object. */
        private String damaged(String text) {
            int at = random.nextInt(text.length() + 1);
            String key = pick(FIELDS);
            return switch (random.nextInt(8)) {
                case 0 -> text.substring(0, at);
                case 1 -> text + pick(" x", "}", "]", "{}", ",", " null", " // c", "\u0000", "\"");
                case 2 -> "{\"" + key + "\": 1, \"" + (random.nextBoolean() ? key : "\\u%04x".formatted(
                        (int) key.charAt(0)) + key.substring(1)) + "\": 2, " + text.substring(1);
                case 3 -> text.substring(0, at) + pick("'", ",", "}", ":", "NaN", "/*", "\\", "\u0000")
                        + text.substring(at);
                case 4 -> nested(pick(501, 50_000));
                case 5 -> pick("[" + text + "]", "\"text\"", "42", "null", "true", "");
                case 6 -> pick("\uFEFF", " \n") + text;
                default -> text(0, 200);
            };
        }

        private void replaceOrRemove(ObjectNode object, String key) {
            if (random.nextBoolean()) {
                object.remove(key);
            } else {
                object.set(key, raw(pick(VALUES)));
            }
        }

        /** A token or event id gets its record's number, so that no two records of a batch share a key. */
        private static ObjectNode distinct(ObjectNode request, String field, int record) {
            JsonNode value = request.get(field);
            if (value != null && value.isTextual() && !value.textValue().isBlank()) {
                request.put(field, value.textValue() + "#" + record);
            }
            return request;
        }

        /** Compact or pretty, and maybe every character beyond ASCII escaped (which only strings hold). */
        private String render(JsonNode node) {
            String text = random.nextBoolean() ? node.toString() : node.toPrettyString();
            return random.nextBoolean() ? text : text.chars().mapToObj(c -> c < 0x80 ? Character.toString(c)
                    : "\\u%04x".formatted(c)).collect(Collectors.joining());
        }

        private String text(int minLength, int maxLength) {
            return random.ints(minLength + random.nextInt(maxLength - minLength + 1), 0, ALPHABET.length)
                    .map(i -> ALPHABET[i]).collect(StringBuilder::new, StringBuilder::appendCodePoint,
                            StringBuilder::append).toString();
        }

        /** A JSON value written exactly as given, so that numbers keep their spelling (1e2, -0, 40 digits). */
        private static JsonNode raw(String json) {
            return json.startsWith("\"") ? LocalAws.parse(json) : NODES.rawValueNode(new RawValue(json));
        }

        @SafeVarargs
        private <T> T pick(T... choices) {
            return choices[random.nextInt(choices.length)];
        }

        private <T> T pick(List<T> choices) {
            return choices.get(random.nextInt(choices.size()));
        }
    }
}
