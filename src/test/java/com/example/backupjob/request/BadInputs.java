package com.example.backupjob.request;

import static com.example.backupjob.request.Expectation.Verdict.INVALID_REQUEST;
import static com.example.backupjob.request.Expectation.Verdict.INVALID_VALUE;
import static com.example.backupjob.request.Expectation.Verdict.MISSING_VALUE;

import com.example.backupjob.tooling.support.LocalAws;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * A seeded generator of inputs for {@link BadInputTest}: the samples of events/ and valid requests, changed by the
 * mutations in the tables below into bad (or still good) input, each with what the contract (sections 1 to 3) says
 * must come of it. The oracle restates the contract's rules rather than calling the code under test. One seed gives
 * the same inputs in the same order.
 */
final class BadInputs {

    /** Replaced by a fresh value at each occurrence before each invocation, so that no two deliveries share a key. */
    static final String UNIQUE = "x0UNIQUE0x";
    /** Marks tag values, which are sensitive: no error message may repeat them. */
    static final String SECRET = "s3cr3t";

    /** The deployment the input goes to: the sample one with defaults, or one without any defaults. */
    enum Env { DEFAULTS, NO_DEFAULTS }

    /**
     * One generated invocation and what the contract says of it: {@code expected} for the whole invocation, or, for
     * an SQS batch that is a usable batch, {@code expected} null and one expectation per record.
     */
    record Case(String label, Env env, String text, Expectation expected, List<Expectation> records) {
    }

    private static final String NO_BODY = "no body";
    private static final String RAW_BODY = "raw body";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper ESCAPING_JSON = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final int HUGE = 100_000;
    // The validator shortens long keys in its messages; a prefix is what a message must contain.
    private static final int PATH_PREFIX = 32;
    // Jackson's default limit on key length: a longer key is refused as not JSON, a fair answer for such input.
    private static final int MAX_NAME_LENGTH = 50_000;
    private static final long MAX_WINDOW = 52_560_000L;
    private static final long MAX_DAYS = 36_500L;
    private static final String COLD = "MoveToColdStorageAfterDays";
    private static final String DELETE = "DeleteAfterDays";
    private static final String OPT_IN = "OptInToArchiveForSupportedResources";
    private static final String NOT_JSON_OR_NOT_OBJECT = "not valid JSON|must be a JSON object";

    // The contract's names and rules (sections 1 and 3), restated here rather than taken from the code under test.
    private static final List<String> FIELDS = List.of("BackupVaultName", "LogicallyAirGappedBackupVaultArn",
            "ResourceArn", "IamRoleArn", "IdempotencyToken", "StartWindowMinutes", "CompleteWindowMinutes", "Lifecycle",
            "RecoveryPointTags", "BackupOptions", "Index");
    private static final List<String> LIFECYCLE_FIELDS = List.of(COLD, DELETE, OPT_IN);
    private static final List<String> REQUIRED = List.of("BackupVaultName", "ResourceArn", "IamRoleArn");
    private static final Pattern VAULT_NAME = Pattern.compile("[a-zA-Z0-9\\-_]{2,50}");
    private static final Pattern JSON_INTEGER = Pattern.compile("-?(0|[1-9][0-9]*)");
    private static final Pattern ASCII_WHITESPACE = Pattern.compile("[ \\t\\n\\x0B\\f\\r]");
    private static final Pattern UNPAIRED_SURROGATE =
            Pattern.compile("[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]");

    /** The JSON type of every field path, and the values of other types that each type gets. */
    private enum Type {
        STRING("42", "-1", "4.2", "1e3", "true", "false", "null", "[]", "[\"x\"]", "{}", "{\"value\": \"x\"}",
                "123456789012345678901234567890"),
        INTEGER("\"60\"", "\"\"", "60.0", "60.5", "6E1", "1e400", "-0.0", "true", "null", "[60]", "{}",
                "{\"minutes\": 60}", "\"sixty\""),
        OBJECT("\"{}\"", "\"\"", "0", "1.5", "true", "null", "[]", "[{}]", "\"ENABLED\""),
        BOOLEAN("\"true\"", "\"false\"", "1", "0", "null", "[]", "{}", "\"yes\"");

        final List<String> wrongValues;

        Type(String... wrongValues) {
            this.wrongValues = List.of(wrongValues);
        }
    }

    private static final Map<String, Type> PATHS = Map.ofEntries(Map.entry("BackupVaultName", Type.STRING),
            Map.entry("LogicallyAirGappedBackupVaultArn", Type.STRING), Map.entry("ResourceArn", Type.STRING),
            Map.entry("IamRoleArn", Type.STRING), Map.entry("IdempotencyToken", Type.STRING),
            Map.entry("Index", Type.STRING), Map.entry("StartWindowMinutes", Type.INTEGER),
            Map.entry("CompleteWindowMinutes", Type.INTEGER), Map.entry("Lifecycle", Type.OBJECT),
            Map.entry("RecoveryPointTags", Type.OBJECT), Map.entry("BackupOptions", Type.OBJECT),
            Map.entry("Lifecycle." + COLD, Type.INTEGER), Map.entry("Lifecycle." + DELETE, Type.INTEGER),
            Map.entry("Lifecycle." + OPT_IN, Type.BOOLEAN), Map.entry("RecoveryPointTags.team", Type.STRING),
            Map.entry("BackupOptions.WindowsVSS", Type.STRING));
    private static final List<String> SORTED_PATHS = PATHS.keySet().stream().sorted().toList();

    /** Values of each string field that the contract accepts... */
    private static final Map<String, List<String>> GOOD = Map.of(
            "BackupVaultName", List.of("Default", "Production", "ab", "v".repeat(50), "vault-2026_11"),
            "LogicallyAirGappedBackupVaultArn", List.of(
                    "arn:aws:backup:eu-west-1:123456789012:backup-vault:air-gapped-vault",
                    "arn:aws-us-gov:backup:us-gov-west-1:210987654321:backup-vault:v2"),
            "ResourceArn", List.of(
                    "arn:aws:dynamodb:eu-west-1:123456789012:table/orders-" + UNIQUE,
                    "arn:aws:s3:::customer-uploads-" + UNIQUE,
                    "arn:aws:ec2:eu-west-1:123456789012:volume/vol-0abcd1234ef567890-" + UNIQUE,
                    "arn:aws-cn:rds:cn-north-1:123456789012:db:customers-" + UNIQUE,
                    "arn:aws:elasticfilesystem:eu-west-1:123456789012:file-system/fs-0123456789abcdef0-" + UNIQUE),
            "IamRoleArn", List.of(LocalAws.ROLE_ARN, "arn:aws:iam::123456789012:role/BackupRole",
                    "arn:aws-us-gov:iam::123456789012:role/path/to/Role_1+=,.@-"),
            "IdempotencyToken", List.of("token-" + UNIQUE, "c0f8e8b2-5d3a-4a8e-9a57-" + UNIQUE),
            "Index", List.of("ENABLED", "DISABLED"));

    /** ...and values that it rejects. */
    private static final Map<String, List<String>> BAD = Map.of(
            "BackupVaultName", List.of("v", "v".repeat(51), "my vault", "vault!", "", "väult", "Default\n",
                    "arn:aws:backup:eu-west-1:123456789012:backup-vault:Default"),
            "LogicallyAirGappedBackupVaultArn", List.of("arn:aws:backup:eu-west-1:123456789012:recovery-point:abc",
                    "arn:aws:backup:eu-west-1:123456789012:backup-vault:",
                    "arn:aws:backup:eu-west-1:123456789012:backup-vault:bad name",
                    "arn:aws:iam::123456789012:role/vault", "air-gapped-vault", ""),
            "ResourceArn", List.of("orders-table", "arn:", "arn:aws", "arn:aws:s3", "ARN:aws:s3:::bucket",
                    " arn:aws:s3:::bucket", "arn:aws:s3:::bucket name", "https://s3.amazonaws.com/bucket", ""),
            "IamRoleArn", List.of("arn:aws:iam::123456789012:user/bob", "arn:aws:iam::12345678901:role/x",
                    "AWSBackupDefaultServiceRole", "arn:aws:sts::123456789012:assumed-role/x/y", "arn:aws:s3:::bucket",
                    ""),
            "IdempotencyToken", List.of("", " ", "\t\n"),
            "Index", List.of("enabled", "Enabled", "ENABLED ", "", "TRUE", "ENABLED\u0000", "ＥＮＡＢＬＥＤ"));

    /** Changes to a good string value, good or bad as the rules above decide. */
    private static final List<UnaryOperator<String>> STRING_CHANGES = List.of(value -> "", value -> " ",
            value -> "\t\n", value -> "a".repeat(HUGE), value -> value + "a".repeat(HUGE),
            value -> value.toUpperCase(Locale.ROOT), value -> value.toLowerCase(Locale.ROOT),
            value -> " " + value + " ", value -> value.repeat(3), value -> value.substring(1),
            value -> value.substring(0, value.length() - 1));

    private static final List<String> ODD_CHARACTERS = List.of("é", "e\u0301", "日本語", "😀", "\u202Eevil", "\u200B",
            "\u00A0", "\u2028", "ß", "İ", "ＡＢＣ", "مرحبا", "\uFEFF", "\uFFFD", "𝔘𝔫𝔦", "\u0000", "\u0001", "\t", "\n",
            "\r", "\u001F", "\u007F", "\u0085", "\uD800", "\uDFFF", "a\uD83D");

    private static final String NAME_CHARACTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
    private static final String TAG_CHARACTERS = NAME_CHARACTERS + ".:/=+@ ÀÉÎõüĀŉſǅȘɏぁゔァヺ";
    private static final List<String> NUMBERS = List.of("-1", "0", "1", "59", "60", "61", "52559999", "52560000",
            "52560001", "-0", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
            "-9223372036854775809", "1" + "0".repeat(40), "-" + "9".repeat(30), "36500", "36501", "60.0", "60.5",
            "1e2", "1E+2", "-1.5", "0.0", "52560000.0", "1e400", "1.0e-400", "-0.0", "6.0E1", "9".repeat(2_000),
            "-" + "1".repeat(1_500));
    private static final List<String> DAYS = List.of("-1", "0", "1", "2", "30", "89", "90", "91", "365", "36409",
            "36410", "36411", "36499", "36500", "36501", "9223372036854775807", "-9223372036854775808",
            "1" + "0".repeat(25), "-0", "30.0", "1e2", "\"30\"", "null", "true", "[30]", "{}");

    private static final List<String> TAG_KEYS = List.of("team", "owner", "k".repeat(128), "k".repeat(129), "",
            "aws:created-by", "AWS:owner", "Aws:x", "aws", "aws-owner", " aws:x", "日本語", "😀", "e\u0301", "\u0000",
            "tab\tkey", "\uD800", "x".repeat(HUGE));
    private static final List<String> TAG_VALUES = List.of("\"\"", json("v".repeat(256)), json("v".repeat(257)),
            json(SECRET.repeat(HUGE / SECRET.length())), json(SECRET + "\u0000\n"), json(SECRET + "😀"),
            json(SECRET + "\uDFFF"), "1", "1.5", "true", "null", "{}", "[]", "{\"name\": \"x\"}");

    private static final List<String> UNKNOWN_KEYS = List.of("Priority", "Tags", "RecoveryPointTag", "BackupVault",
            "DeleteAfterDays", COLD, OPT_IN, "DeleteAfterEvent", "WindowsVSS", "BackupJobId", "RecoveryPointArn",
            "IsParent", "CreationDate", "BackupPlanId", "ResourceType", "", " ", "__proto__", "constructor",
            "prototype", "$type", "@class", "null", "0", "日本語", "😀", "\u0000", "tab\t", "\uD800", "K".repeat(HUGE),
            "version", "source", "id", "time", "region", "messageId", "body");
    private static final List<String> ANY_VALUES = List.of("\"x\"", "1", "null", "true", "{}", "[]", "\"ENABLED\"",
            "{\"ResourceArn\": \"arn:aws:s3:::bucket\"}");

    /** Ways to misspell a key: other case, typo, look-alike letter, stray space. */
    private static final List<BiFunction<String, Integer, String>> TYPOS = List.of(
            (key, at) -> key.toLowerCase(Locale.ROOT),
            (key, at) -> key.toUpperCase(Locale.ROOT),
            (key, at) -> Character.toLowerCase(key.charAt(0)) + key.substring(1),
            (key, at) -> key.substring(0, at) + key.substring(at + 1),
            (key, at) -> key.substring(0, at + 1) + key.substring(at),
            (key, at) -> at + 1 < key.length()
                    ? key.substring(0, at) + key.charAt(at + 1) + key.charAt(at) + key.substring(at + 2)
                    : key.charAt(key.length() - 1) + key.substring(0, key.length() - 1),
            (key, at) -> key + "s", (key, at) -> key + " ", (key, at) -> " " + key, (key, at) -> key + "\t",
            (key, at) -> key.substring(0, at) + "\u200B" + key.substring(at),
            (key, at) -> key.replaceFirst("[aeoc]", "\u043E"),
            (key, at) -> key.replaceAll("([a-z])([A-Z])", "$1_$2"));

    /** Ways to break the syntax of a JSON object text. */
    private static final List<UnaryOperator<String>> SYNTAX_ERRORS = List.of(
            text -> text.replace('"', '\''),
            text -> text.substring(0, text.length() - 1) + ",}",
            text -> "{/* comment */" + text.substring(1),
            text -> text.replaceFirst("\"([A-Za-z-]+)\"\\s*:", "$1:"),
            text -> "{\"StartWindowMinutes\": NaN," + text.substring(1),
            text -> "{\"StartWindowMinutes\": -Infinity," + text.substring(1),
            text -> "{\"StartWindowMinutes\": 060," + text.substring(1),
            text -> "{\"StartWindowMinutes\": +60," + text.substring(1),
            text -> "{\"StartWindowMinutes\": 0x3C," + text.substring(1),
            text -> text.replaceFirst("\"\\s*:\\s*\"", "\": \"\u0001"),
            text -> text.replaceFirst("\"\\s*:\\s*\"", "\": \"\n"),
            text -> text.replaceFirst("\"\\s*:", "\" "),
            text -> text.replaceFirst(",(\\s*\")", " $1"),
            text -> "{\"Index\": \"ENABLED\", \"Index\": \"ENABLED\"," + text.substring(1),
            text -> "{\"Index\": \"ENABLED\", \"\\u0049ndex\": \"ENABLED\"," + text.substring(1),
            text -> text.replaceFirst("\"\\s*:\\s*\"", "\": \"\\\\x41"),
            text -> text.replaceFirst("\"\\s*:\\s*\"", "\": \"\\\\u12G"),
            text -> text.substring(0, text.lastIndexOf('"')),
            text -> "x" + text,
            text -> "," + text);

    private static final List<String> NON_OBJECTS = List.of("[]", "[{}]",
            "[" + LocalAws.event("step-functions-input.json") + "]", "\"text\"",
            "\"{\\\"ResourceArn\\\": \\\"arn:aws:s3:::bucket\\\"}\"", "true", "false", "null", "0", "-1", "1.5e300",
            "123456789012345678901234567890", "\"" + "x".repeat(HUGE) + "\"");
    private static final List<String> GARBAGE = List.of("backup the ledger table please",
            "ResourceArn=arn:aws:s3:::bucket", "<xml/>", "%7B%7D", "\u0000", "\uFEFF", "g".repeat(HUGE), "", " ",
            "\n\t ", "\r\n");
    private static final List<String> TRAILERS = List.of(" x", "}", "]", "{}", ",", " null", " // comment", " /* c */",
            " {\"ResourceArn\": \"arn:aws:s3:::another-bucket\"}", "\u0000", " garbage", "\"", "=");
    private static final List<String> SAMPLE_FILES = List.of("eventbridge-event.json", "scheduled-rule.json",
            "scheduler-input.json", "step-functions-input.json", "sqs-batch.json");

    private static final List<ObjectNode> SAMPLE_REQUESTS = sampleRequests();

    private final Random random;

    BadInputs(long seed) {
        this.random = new Random(seed);
    }

    /** A valid request with one to three mutations on different fields. */
    Case mutatedRequest() {
        return mutatedRequest(pick(Env.values()), "");
    }

    /** Not JSON, truncated JSON, or JSON that is not an object: always InvalidRequestException. */
    Case brokenJson() {
        String sample = sampleText();
        String text = switch (random.nextInt(13)) {
            case 0, 1, 2 -> random.nextBoolean() ? pick(NON_OBJECTS) : pick(NUMBERS);
            case 3, 4, 5, 6 -> sample.substring(0, random.nextInt(sample.length()));
            case 7, 8, 9 -> syntaxError(sample);
            case 10 -> pick("[", "{\"a\":", "[{\"a\":").repeat(pick(1_000, 10_000, HUGE)) + "1";
            default -> garbage();
        };
        return new Case("not a JSON object", Env.DEFAULTS, text, Expectation.failsEarly(NOT_JSON_OR_NOT_OBJECT), null);
    }

    /** A valid request or event followed by more text, which makes the input no JSON text. */
    Case trailingContent() {
        String valid = random.nextBoolean() ? validRequest().toString()
                : LocalAws.event(pick("eventbridge-event.json", "scheduled-rule.json", "scheduler-input.json")).strip()
                        .replace("\"id\": \"", "\"id\": \"" + UNIQUE)
                        .replace("\"IdempotencyToken\": \"", "\"IdempotencyToken\": \"" + UNIQUE);
        return new Case("followed by more text", Env.DEFAULTS, valid + pick(TRAILERS),
                Expectation.failsEarly("not valid JSON"), null);
    }

    /** An EventBridge event whose detail is a request with zero to three mutations, and maybe a changed envelope. */
    Case eventBridgeEvent() {
        return eventBridgeEvent(pick(Env.values()));
    }

    /** An SQS event of one to four records, each body good or bad, and maybe a broken envelope. */
    Case sqsBatch() {
        Env env = pick(Env.values());
        ObjectNode event = sampleEvent("sqs-batch.json");
        ObjectNode template = (ObjectNode) event.get("Records").get(0);
        ArrayNode records = event.putArray("Records");
        List<Expectation> expectations = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int i = 1 + random.nextInt(4); i > 0; i--) {
            Case body = oneOf(w(5, () -> mutatedRequest(env, "plain: ")), w(2, () -> eventBridgeEvent(env)),
                    w(2, this::brokenJson), w(1, this::notTextBody), w(2, () -> validBody(env, false)));
            ObjectNode record = template.deepCopy().put("messageId", "message-" + UNIQUE);
            // A body that is no string is generated as its raw JSON value; "missing" leaves it out.
            switch (body.label()) {
                case NO_BODY -> record.remove("body");
                case RAW_BODY -> record.set("body", raw(body.text()));
                default -> record.put("body", body.text());
            }
            records.add(record);
            expectations.add(body.expected());
            labels.add(body.label().equals(RAW_BODY) ? "body " + body.text() : body.label());
        }
        int index = random.nextInt(records.size());
        ObjectNode record = (ObjectNode) records.get(index);
        Expectation whole = null;
        String envelope = "as sampled";
        switch (weightedIndex(8, 1, 1, 1)) {
            case 1 -> {
                envelope = "messageId " + setOrRemove(record, "messageId", pick("missing", "null", "42", "\"\"", "{}"));
                whole = Expectation.failsEarly("Records\\[" + index + "\\]\\.messageId");
            }
            case 2 -> {
                envelope = "eventSource " + setOrRemove(record, "eventSource", pick("\"aws:sns\"", "\"AWS:SQS\"",
                        "null", "missing"));
                // No longer an SQS event: a plain request with the unknown key Records.
                whole = Expectation.rejected(INVALID_REQUEST, "Records");
            }
            case 3 -> {
                String key = pick("receiptHandle", "attributes", "md5OfBody", "awsRegion", "messageAttributes");
                record.putNull(key);
                envelope = key + " null";
            }
            default -> {
            }
        }
        return new Case("SQS envelope " + envelope + "; records: " + String.join(" | ", labels), env, render(event),
                whole, whole == null ? expectations : null);
    }

    /** One to three valid requests, delivered as a plain request, an EventBridge event or an SQS batch. */
    Case validDelivery() {
        Env env = pick(Env.values());
        return switch (random.nextInt(3)) {
            case 0 -> new Case("valid plain request", env, render(complete(validRequest(), env)),
                    Expectation.accepted(), null);
            case 1 -> new Case("valid EventBridge event", env, render(eventBridgeEnvelope(complete(validRequest(),
                    env))), Expectation.accepted(), null);
            default -> {
                boolean asEvents = random.nextBoolean();
                ObjectNode event = sampleEvent("sqs-batch.json");
                ObjectNode template = (ObjectNode) event.get("Records").get(0);
                ArrayNode records = event.putArray("Records");
                for (int i = 1 + random.nextInt(3); i > 0; i--) {
                    records.add(template.deepCopy().put("messageId", "message-" + UNIQUE)
                            .put("body", validBody(env, asEvents).text()));
                }
                yield new Case("valid SQS batch" + (asEvents ? " of EventBridge events" : ""), env, render(event),
                        null, Collections.nCopies(records.size(), Expectation.accepted()));
            }
        };
    }

    private Case eventBridgeEvent(Env env) {
        ObjectNode request = base(env);
        List<Mutation> mutations = mutations(0);
        Expectation detail = apply(mutations, request, env);
        ObjectNode event = sampleEvent(pick("eventbridge-event.json", "scheduled-rule.json"));
        event.put("id", "event-" + UNIQUE);
        event.set("detail", request);
        Expectation outcome = Expectation.accepted();
        String envelope = "as sampled";
        boolean replacesDetail = false;
        switch (weightedIndex(6, 1, 1, 1, 1, 2)) {
            case 1 -> {
                envelope = "id " + setOrRemove(event, "id", pick("42", "null", "true", "{}", "[\"id\"]", "1.5"));
                outcome = Expectation.failsEarly("\\bid\\b");
            }
            case 2 -> {
                String id = pick("", " ", "é" + UNIQUE, "i".repeat(HUGE) + UNIQUE, "missing");
                envelope = "id " + setOrRemove(event, "id", id.equals("missing") ? id : json(id));
                outcome = id.equals("missing") ? outcome : Expectation.either("id", INVALID_REQUEST, INVALID_VALUE);
            }
            case 3 -> {
                envelope = "detail " + setOrRemove(event, "detail", pick("null", "\"orders\"", "[]", "[{}]", "0",
                        "false", "\"{\\\"ResourceArn\\\": \\\"arn:aws:s3:::bucket\\\"}\""));
                outcome = Expectation.failsEarly("must be a JSON object");
                replacesDetail = true;
            }
            case 4 -> {
                // No longer an EventBridge event: a plain request full of unknown keys.
                String key = pick("detail", "detail-type");
                event.remove(key);
                envelope = "without " + key;
                outcome = Expectation.rejected(INVALID_REQUEST, key.equals("detail") ? "detail-type" : "detail");
                replacesDetail = true;
            }
            case 5 -> {
                String key = pick("source", "time", "resources", "detail-type", "version", "account", "Detail",
                        "Records");
                envelope = key + " " + setOrRemove(event, key, pick("null", "42", "[]", "{}",
                        json("x".repeat(300))));
            }
            default -> {
            }
        }
        if (outcome.messagePattern() == null && !replacesDetail) {
            outcome = outcome.and(detail);
        } else if (event.get("detail") == request && detail.mayBeUnparseable()) {
            // The envelope's problem decides, unless the parser gives up on the detail first.
            outcome = outcome.parserMayGiveUp();
        }
        return new Case("EventBridge envelope " + abbreviate(envelope) + "; detail: " + labels(mutations), env,
                render(event), outcome.withSecret(detail.carriesSecret()), null);
    }

    private Case mutatedRequest(Env env, String label) {
        ObjectNode request = base(env);
        List<Mutation> mutations = mutations(1);
        Expectation expected = apply(mutations, request, env);
        return new Case(label + labels(mutations), env, render(request), expected, null);
    }

    private Case notTextBody() {
        String body = pick("null", "42", "true", "[]", "{\"ResourceArn\": \"arn:aws:s3:::bucket\"}", "missing");
        return new Case(body.equals("missing") ? NO_BODY : RAW_BODY, Env.DEFAULTS, body,
                Expectation.failsEarly("body"), null);
    }

    private Case validBody(Env env, boolean asEvent) {
        ObjectNode request = complete(validRequest(), env);
        return new Case("valid", env, render(asEvent ? eventBridgeEnvelope(request) : request), Expectation.accepted(),
                null);
    }

    /** One change to a request object, made in place; it returns what the contract says the change causes. */
    private record Mutation(String field, String label, BiFunction<ObjectNode, Env, Expectation> change) {
    }

    /** min to three mutations on different fields, mostly one, so that each rule's error name is seen alone. */
    private List<Mutation> mutations(int min) {
        int count = Math.max(min, weightedIndex(3, 6, 2, 1));
        List<Mutation> mutations = new ArrayList<>();
        Set<String> fields = new HashSet<>();
        while (mutations.size() < count) {
            Mutation mutation = mutation();
            if (fields.add(mutation.field())) {
                mutations.add(mutation);
            }
        }
        return mutations;
    }

    private Mutation mutation() {
        return oneOf(w(4, this::wrongType), w(3, this::windowMinutes), w(4, this::stringValue), w(3, this::lifecycle),
                w(3, this::tags), w(2, this::backupOptions), w(3, this::misspeltKey), w(3, this::unknownKey),
                w(2, this::removal), w(1, this::deepNesting), w(1, this::hugeMap));
    }

    private Mutation wrongType() {
        String path = pick(SORTED_PATHS);
        String value = pick(PATHS.get(path).wrongValues);
        return new Mutation(topField(path), "wrong type " + path + " := " + value, (request, env) -> {
            set(request, path, raw(value));
            return Expectation.rejected(INVALID_REQUEST, path);
        });
    }

    private Mutation windowMinutes() {
        String field = pick("StartWindowMinutes", "CompleteWindowMinutes");
        String literal = random.nextBoolean() ? pick(NUMBERS)
                : String.valueOf(random.nextBoolean() ? random.nextLong() : between(-100, 60_000_000));
        return new Mutation(field, field + " := " + abbreviate(literal), (request, env) -> {
            request.set(field, raw(literal));
            return integer(field, literal, field.equals("StartWindowMinutes") ? 60 : 1, MAX_WINDOW);
        });
    }

    private Mutation stringValue() {
        String field = pick(GOOD.keySet().stream().sorted().toList());
        String good = pick(GOOD.get(field));
        String value = switch (random.nextInt(5)) {
            case 0 -> good;
            case 1 -> pick(STRING_CHANGES).apply(good);
            case 2 -> {
                String odd = pick(ODD_CHARACTERS);
                int middle = good.length() / 2;
                yield pick(odd + good, good.substring(0, middle) + odd + good.substring(middle), good + odd);
            }
            case 3 -> anyString(0, 60);
            default -> pick(BAD.get(field));
        };
        return new Mutation(field, field + " := " + abbreviate(json(value)), (request, env) -> {
            request.put(field, value);
            return string(field, value);
        });
    }

    private Mutation lifecycle() {
        String cold = random.nextInt(4) == 0 ? null : days();
        String delete = random.nextInt(4) == 0 ? null : days();
        String archive = random.nextInt(10) < 6 ? null : pick("true", "false", "\"true\"", "1", "null", "[]");
        String extra = random.nextInt(5) > 0 ? null : pick("DeleteAfterEvent", "DeleteAfterWeeks", "deleteAfterDays",
                "MoveToColdStorageAfterDay", "", "OptInToArchive", COLD + " ");
        ObjectNode lifecycle = NODES.objectNode();
        putRaw(lifecycle, COLD, cold);
        putRaw(lifecycle, DELETE, delete);
        putRaw(lifecycle, OPT_IN, archive);
        if (extra != null) {
            lifecycle.put(extra, extra.equals("DeleteAfterEvent") ? "DELETE_AFTER_COPY" : "x");
        }
        return new Mutation("Lifecycle", "Lifecycle := " + abbreviate(lifecycle.toString()), (request, env) -> {
            request.set("Lifecycle", lifecycle.deepCopy());
            return lifecycleExpectation(cold, delete, archive, extra);
        });
    }

    private Mutation tags() {
        ObjectNode tags = NODES.objectNode();
        if (random.nextInt(5) == 0) {
            IntStream.range(0, pick(50, 51, 1_000)).forEach(i -> tags.put("tag-" + i, SECRET + i));
        } else {
            for (int i = random.nextInt(7); i > 0; i--) {
                String key = switch (random.nextInt(3)) {
                    case 0 -> randomString("abcXYZ019-_.:/=+@ ", 1, 20);
                    case 1 -> pick(TAG_KEYS);
                    default -> anyString(1, 30);
                };
                tags.set(key, switch (random.nextInt(4)) {
                    case 0 -> NODES.textNode(SECRET + "-" + randomString("abcXYZ019", 0, 20));
                    case 1 -> parse(pick(TAG_VALUES));
                    case 2 -> NODES.textNode(pick(ODD_CHARACTERS.subList(0, 23)));
                    default -> NODES.textNode(SECRET + anyString(0, 40));
                });
            }
        }
        String label = tags.size() > 6 ? tags.size() + " tags" : "keys " + abbreviate(tags.properties().stream()
                .map(Map.Entry::getKey).toList().toString());
        return new Mutation("RecoveryPointTags", "RecoveryPointTags := " + label, (request, env) -> {
            request.set("RecoveryPointTags", tags.deepCopy());
            return tagsExpectation(tags);
        });
    }

    private Mutation backupOptions() {
        ObjectNode options = NODES.objectNode();
        if (random.nextInt(7) == 0) {
            IntStream.range(0, 1_000).forEach(i -> options.put("Option" + i, "enabled"));
        } else {
            for (int i = random.nextInt(4); i > 0; i--) {
                String key = random.nextInt(5) > 0 ? "WindowsVSS" : pick("windowsVSS", "WindowsVss", "WINDOWSVSS",
                        "Compression", "", "WindowsVSS ", "Windows\u200BVSS");
                options.set(key, switch (random.nextInt(6)) {
                    case 0, 1, 2 -> NODES.textNode(pick("enabled", "disabled"));
                    case 3, 4 -> NODES.textNode(pick("Enabled", "ENABLED", "on", "", "e".repeat(HUGE),
                            "enabled\u0000", "énabled"));
                    default -> raw(pick("true", "1", "null", "{}", "[\"enabled\"]"));
                });
            }
        }
        String label = options.size() > 3 ? options.size() + " options" : abbreviate(options.toString());
        return new Mutation("BackupOptions", "BackupOptions := " + label, (request, env) -> {
            request.set("BackupOptions", options.deepCopy());
            Expectation expected = Expectation.accepted("BackupOptions");
            for (Map.Entry<String, JsonNode> option : options.properties()) {
                String path = "BackupOptions." + prefix(option.getKey());
                JsonNode value = option.getValue();
                if (!option.getKey().equals("WindowsVSS")) {
                    // Another option than WindowsVSS: a key or a value error? The contract leaves it open.
                    expected = expected.and(Expectation.rejectedAsAnyOf(path, INVALID_REQUEST, INVALID_VALUE));
                } else if (!value.isTextual()) {
                    expected = expected.and(Expectation.rejected(INVALID_REQUEST, path));
                } else if (!value.textValue().equals("enabled") && !value.textValue().equals("disabled")) {
                    expected = expected.and(Expectation.rejected(INVALID_VALUE, path));
                }
            }
            return expected;
        });
    }

    private Mutation misspeltKey() {
        boolean nested = random.nextInt(FIELDS.size() + LIFECYCLE_FIELDS.size()) >= FIELDS.size();
        String key = pick(nested ? LIFECYCLE_FIELDS : FIELDS);
        String misspelt = pick(TYPOS).apply(key, random.nextInt(key.length()));
        if (FIELDS.contains(misspelt) || LIFECYCLE_FIELDS.contains(misspelt) || misspelt.equals("DeleteAfterEvent")) {
            return misspeltKey();
        }
        return new Mutation(nested ? "Lifecycle" : key, "misspelt " + key + " as " + abbreviate(json(misspelt)),
                (request, env) -> {
                    ObjectNode parent = nested ? objectAt(request, "Lifecycle") : request;
                    // Whatever its value, a misspelt key is unknown.
                    parent.set(misspelt, parent.has(key) ? parent.remove(key) : NODES.textNode("x"));
                    return Expectation.rejected(INVALID_REQUEST, (nested ? "Lifecycle." : "") + prefix(misspelt));
                });
    }

    private Mutation unknownKey() {
        String key = random.nextBoolean() ? pick(UNKNOWN_KEYS) : anyString(1, 30);
        if (FIELDS.contains(key) || List.of("detail", "detail-type", "Records").contains(key)) {
            return unknownKey();
        }
        String value = pick(ANY_VALUES);
        return new Mutation("+" + key, "unknown key " + abbreviate(json(key)) + " := " + value, (request, env) -> {
            request.set(key, raw(value));
            Expectation expected = Expectation.rejected(INVALID_REQUEST, prefix(key));
            return key.length() > MAX_NAME_LENGTH ? expected.parserMayGiveUp() : expected;
        });
    }

    private Mutation removal() {
        String field = pick(FIELDS);
        return new Mutation(field, "without " + field, (request, env) -> {
            request.remove(field);
            return env == Env.NO_DEFAULTS && REQUIRED.contains(field) ? Expectation.rejected(MISSING_VALUE, field)
                    : Expectation.accepted(field);
        });
    }

    private Mutation deepNesting() {
        String path = pick(SORTED_PATHS);
        int depth = pick(2, 20, 200, 499, 1_000, 5_000, HUGE);
        // Objects nested in an object field would read as options or tags, so those get arrays.
        boolean arrays = random.nextBoolean() || PATHS.get(path) == Type.OBJECT;
        String nested = arrays ? "[".repeat(depth) + "1" + "]".repeat(depth)
                : "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
        return new Mutation(topField(path), path + " nested " + depth + " deep", (request, env) -> {
            set(request, path, raw(nested));
            Expectation expected = Expectation.rejected(INVALID_REQUEST, path);
            return depth >= 200 ? expected.parserMayGiveUp() : expected;
        });
    }

    private Mutation hugeMap() {
        return switch (random.nextInt(3)) {
            case 0 -> new Mutation("+Unknown", "1,000 unknown keys", (request, env) -> {
                IntStream.range(0, 1_000).forEach(i -> request.put("Unknown" + i, i));
                return Expectation.rejected(INVALID_REQUEST, "Unknown0");
            });
            case 1 -> new Mutation("Lifecycle", "1,000 unknown keys in Lifecycle", (request, env) -> {
                ObjectNode lifecycle = request.putObject("Lifecycle");
                IntStream.range(0, 1_000).forEach(i -> lifecycle.put("Days" + i, i));
                return Expectation.rejected(INVALID_REQUEST, "Lifecycle.Days0");
            });
            default -> new Mutation("ResourceArn", "ResourceArn := 10,000-element array", (request, env) -> {
                ArrayNode array = request.putArray("ResourceArn");
                IntStream.range(0, 10_000).forEach(i -> array.add("arn:aws:s3:::bucket-" + i));
                return Expectation.rejected(INVALID_REQUEST, "ResourceArn");
            });
        };
    }

    private static Expectation string(String field, String value) {
        Expectation expected = switch (field) {
            case "BackupVaultName" -> VAULT_NAME.matcher(value).matches() ? Expectation.accepted(field)
                    : Expectation.rejected(INVALID_VALUE, field);
            case "Index" -> value.equals("ENABLED") || value.equals("DISABLED") ? Expectation.accepted(field)
                    : Expectation.rejected(INVALID_VALUE, field);
            // Blank is rejected; whether a non-ASCII space makes a token blank, the contract does not say.
            case "IdempotencyToken" -> ASCII_WHITESPACE.matcher(value).replaceAll("").isEmpty()
                    ? Expectation.rejected(INVALID_VALUE, field)
                    : value.isBlank() ? Expectation.either(field, INVALID_VALUE) : Expectation.accepted(field);
            default -> arn(field, value);
        };
        return hasUnpairedSurrogate(value) ? expected.orRejected(INVALID_REQUEST, INVALID_VALUE) : expected;
    }

    /** A well-formed ARN of the right kind is accepted, something that is plainly no ARN is not; the rest is open. */
    private static Expectation arn(String field, String value) {
        if (GOOD.get(field).contains(value)) {
            return Expectation.accepted(field);
        }
        if (BAD.get(field).contains(value) || !value.startsWith("arn:") || ASCII_WHITESPACE.matcher(value).find()) {
            return Expectation.rejected(INVALID_VALUE, field);
        }
        return Expectation.either(field, INVALID_VALUE);
    }

    /** An integer field given this number: range checked, decimals rejected. */
    private static Expectation integer(String path, String literal, long min, long max) {
        if (!JSON_INTEGER.matcher(literal).matches()) {
            return Expectation.rejected(INVALID_REQUEST, path);
        }
        if (literal.length() > 900) {
            // The parser's number-length limit may refuse it as not JSON before validation sees it.
            return Expectation.rejectedAsAnyOf(path, INVALID_REQUEST, INVALID_VALUE).parserMayGiveUp();
        }
        return inRange(literal, min, max) != null ? Expectation.accepted(path)
                : Expectation.rejected(INVALID_VALUE, path);
    }

    /** Day counts positive, DeleteAfterDays at most 36,500 and at least MoveToColdStorageAfterDays + 90. */
    private static Expectation lifecycleExpectation(String cold, String delete, String archive, String extra) {
        Expectation expected = Expectation.accepted("Lifecycle");
        if (cold != null) {
            expected = expected.and(integer("Lifecycle." + COLD, cold, 1, Long.MAX_VALUE));
        }
        if (delete != null) {
            expected = expected.and(integer("Lifecycle." + DELETE, delete, 1, MAX_DAYS));
        }
        BigInteger coldDays = cold == null ? null : inRange(cold, 1, Long.MAX_VALUE);
        BigInteger deleteDays = delete == null ? null : inRange(delete, 1, MAX_DAYS);
        if (coldDays != null && deleteDays != null && deleteDays.compareTo(coldDays.add(BigInteger.valueOf(90))) < 0) {
            expected = expected.and(Expectation.rejected(INVALID_VALUE, "Lifecycle." + DELETE));
        }
        if (archive != null && !archive.equals("true") && !archive.equals("false")) {
            expected = expected.and(Expectation.rejected(INVALID_REQUEST, "Lifecycle." + OPT_IN));
        }
        if ("DeleteAfterEvent".equals(extra)) {
            expected = expected.and(Expectation.rejectedAsAnyOf("Lifecycle.DeleteAfterEvent", INVALID_REQUEST,
                    INVALID_VALUE));
        } else if (extra != null) {
            expected = expected.and(Expectation.rejected(INVALID_REQUEST, "Lifecycle." + extra));
        }
        return expected;
    }

    /** At most 50 tags, keys 1 to 128 characters not starting with aws:, string values of at most 256. */
    private static Expectation tagsExpectation(ObjectNode tags) {
        Expectation expected = Expectation.accepted("RecoveryPointTags");
        if (tags.size() > 50) {
            expected = expected.and(Expectation.rejected(INVALID_VALUE, "RecoveryPointTags"));
        }
        boolean secret = false;
        for (Map.Entry<String, JsonNode> tag : tags.properties()) {
            String key = tag.getKey();
            String path = "RecoveryPointTags." + prefix(key);
            if (key.length() > MAX_NAME_LENGTH) {
                expected = expected.and(Expectation.rejectedAsAnyOf(path, INVALID_REQUEST, INVALID_VALUE)
                        .parserMayGiveUp());
            } else if (key.isEmpty() || key.length() > 128 || key.startsWith("aws:")) {
                expected = expected.and(Expectation.rejected(INVALID_VALUE, path));
            } else if (key.regionMatches(true, 0, "aws:", 0, 4)) {
                expected = expected.and(Expectation.either(path, INVALID_VALUE));
            } else if (hasUnpairedSurrogate(key)) {
                expected = expected.and(Expectation.either(path, INVALID_REQUEST, INVALID_VALUE));
            }
            JsonNode value = tag.getValue();
            if (!value.isTextual()) {
                expected = expected.and(Expectation.rejected(INVALID_REQUEST, path));
                continue;
            }
            secret |= value.textValue().contains(SECRET);
            if (value.textValue().length() > 256) {
                expected = expected.and(Expectation.rejected(INVALID_VALUE, path));
            } else if (hasUnpairedSurrogate(value.textValue())) {
                expected = expected.and(Expectation.either(path, INVALID_REQUEST, INVALID_VALUE));
            }
        }
        return expected.withSecret(secret);
    }

    /** A sample request with a unique resource and up to eight optional fields added or replaced by valid values. */
    private ObjectNode validRequest() {
        ObjectNode request = pick(SAMPLE_REQUESTS).deepCopy();
        request.remove("IdempotencyToken");
        request.put("ResourceArn", pick(GOOD.get("ResourceArn")));
        for (int i = random.nextInt(9); i > 0; i--) {
            String field = pick(FIELDS.stream().filter(name -> !name.equals("ResourceArn")).toList());
            request.set(field, validValueOf(field));
        }
        return request;
    }

    private JsonNode validValueOf(String field) {
        String partition = pick("aws", "aws-cn", "aws-us-gov", "aws-iso-b");
        String account = randomString("0123456789", 12, 12);
        return switch (field) {
            case "BackupVaultName" -> NODES.textNode(randomString(NAME_CHARACTERS, 2, 50));
            case "IamRoleArn" -> NODES.textNode("arn:" + partition + ":iam::" + account + ":role/"
                    + randomString(NAME_CHARACTERS + "+=,.@", 1, 64));
            case "LogicallyAirGappedBackupVaultArn" -> NODES.textNode("arn:" + partition + ":backup:eu-west-1:"
                    + account + ":backup-vault:" + randomString(NAME_CHARACTERS, 2, 50));
            case "IdempotencyToken" -> NODES.textNode("token-" + UNIQUE + pick(ODD_CHARACTERS.subList(0, 15)));
            case "StartWindowMinutes" -> NODES.numberNode(between(60, MAX_WINDOW));
            case "CompleteWindowMinutes" -> NODES.numberNode(between(1, MAX_WINDOW));
            case "Lifecycle" -> validLifecycle();
            case "RecoveryPointTags" -> validTags();
            case "BackupOptions" -> pick(object("{}"), object("{\"WindowsVSS\": \"enabled\"}"),
                    object("{\"WindowsVSS\": \"disabled\"}"));
            default -> NODES.textNode(pick("ENABLED", "DISABLED"));
        };
    }

    private ObjectNode validLifecycle() {
        ObjectNode lifecycle = NODES.objectNode();
        switch (random.nextInt(3)) {
            case 0 -> {
                long cold = between(1, MAX_DAYS - 90);
                lifecycle.put(COLD, cold).put(DELETE, between(cold + 90, MAX_DAYS));
            }
            case 1 -> lifecycle.put(pick(COLD, DELETE), between(1, MAX_DAYS));
            default -> {
            }
        }
        if (random.nextBoolean()) {
            lifecycle.put(OPT_IN, random.nextBoolean());
        }
        return lifecycle;
    }

    private ObjectNode validTags() {
        ObjectNode tags = NODES.objectNode();
        for (int i = random.nextInt(51); i > 0; i--) {
            String key = randomString(TAG_CHARACTERS, 1, 128);
            if (!key.regionMatches(true, 0, "aws:", 0, 4)) {
                tags.put(key, SECRET + randomString(TAG_CHARACTERS + "\u0000\t\n\u001F", 0, 250));
            }
        }
        return tags;
    }

    /** A valid request with a unique token; complete when the deployment has no defaults. */
    private ObjectNode base(Env env) {
        ObjectNode request = random.nextBoolean() ? pick(SAMPLE_REQUESTS).deepCopy() : validRequest();
        request.put("IdempotencyToken", "token-" + UNIQUE);
        if (env == Env.NO_DEFAULTS) {
            request.putIfAbsent("ResourceArn", NODES.textNode(LocalAws.DEFAULT_RESOURCE_ARN));
        }
        return complete(request, env);
    }

    private static ObjectNode complete(ObjectNode request, Env env) {
        if (env == Env.NO_DEFAULTS) {
            request.putIfAbsent("BackupVaultName", NODES.textNode(LocalAws.VAULT));
            request.putIfAbsent("IamRoleArn", NODES.textNode(LocalAws.ROLE_ARN));
        }
        return request;
    }

    private static ObjectNode eventBridgeEnvelope(ObjectNode detail) {
        ObjectNode event = sampleEvent("eventbridge-event.json");
        event.put("id", "event-" + UNIQUE);
        event.set("detail", detail);
        return event;
    }

    /** The requests inside the samples of events/, all valid in the sample deployment. */
    private static List<ObjectNode> sampleRequests() {
        JsonNode sqs = LocalAws.parse(LocalAws.event("sqs-batch.json"));
        return List.of(sampleEvent("step-functions-input.json"), sampleEvent("scheduler-input.json"),
                (ObjectNode) sampleEvent("eventbridge-event.json").get("detail"),
                (ObjectNode) sampleEvent("scheduled-rule.json").get("detail"),
                object(sqs.get("Records").get(0).get("body").textValue()),
                (ObjectNode) object(sqs.get("Records").get(1).get("body").textValue()).get("detail"));
    }

    private String sampleText() {
        String text = random.nextInt(3) == 0 ? validRequest().toString() : LocalAws.event(pick(SAMPLE_FILES));
        return text.strip();
    }

    /** A syntax error that changes the text: a text without commas, say, has none to remove. */
    private String syntaxError(String text) {
        String broken = pick(SYNTAX_ERRORS).apply(text);
        return broken.equals(text) ? syntaxError(text) : broken;
    }

    private String garbage() {
        String text = switch (random.nextInt(3)) {
            case 0 -> anyString(1, 200);
            case 1 -> randomString(IntStream.range(0, 128).mapToObj(c -> String.valueOf((char) c))
                    .collect(Collectors.joining()), 1, 200);
            default -> pick(GARBAGE);
        };
        return text.startsWith("{") || text.strip().startsWith("{") ? garbage() : text;
    }

    private String render(JsonNode node) {
        JsonNode ordered = random.nextBoolean() ? node : shuffled(node, new Random(random.nextLong()));
        boolean pretty = random.nextBoolean();
        // A raw unpaired surrogate would not survive the UTF-8 encoding of the invocation, its escape does.
        String plain = write(JSON, ordered, pretty);
        String text = random.nextBoolean() || hasUnpairedSurrogate(plain) ? write(ESCAPING_JSON, ordered, pretty)
                : plain;
        return random.nextInt(4) == 0 ? withEscapedKeyInitials(text) : text;
    }

    private static String write(ObjectMapper mapper, JsonNode node, boolean pretty) {
        try {
            return pretty ? mapper.writerWithDefaultPrettyPrinter().writeValueAsString(node)
                    : mapper.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode shuffled(JsonNode node, Random random) {
        if (node instanceof ObjectNode object) {
            List<Map.Entry<String, JsonNode>> entries = new ArrayList<>(object.properties());
            Collections.shuffle(entries, random);
            ObjectNode copy = NODES.objectNode();
            entries.forEach(entry -> copy.set(entry.getKey(), shuffled(entry.getValue(), random)));
            return copy;
        }
        if (node instanceof ArrayNode array) {
            ArrayNode copy = NODES.arrayNode();
            array.forEach(element -> copy.add(shuffled(element, random)));
            return copy;
        }
        return node;
    }

    /** Writes the initial capital of each key as a \\u escape, which a JSON parser must read as the same key. */
    private static String withEscapedKeyInitials(String text) {
        Matcher matcher = Pattern.compile("\"([A-Z])([A-Za-z]*\"\\s*:)").matcher(text);
        StringBuilder escaped = new StringBuilder();
        while (matcher.find()) {
            String initial = String.format("\\\\u%04X", (int) matcher.group(1).charAt(0));
            matcher.appendReplacement(escaped, "\"" + initial + Matcher.quoteReplacement(matcher.group(2)));
        }
        matcher.appendTail(escaped);
        return escaped.toString();
    }

    private static Expectation apply(List<Mutation> mutations, ObjectNode request, Env env) {
        Expectation expected = Expectation.accepted();
        for (Mutation mutation : mutations) {
            expected = expected.and(mutation.change().apply(request, env));
        }
        return expected;
    }

    private static String labels(List<Mutation> mutations) {
        return mutations.isEmpty() ? "unchanged" : mutations.stream().map(Mutation::label)
                .collect(Collectors.joining(", "));
    }

    @SafeVarargs
    private <T> T pick(T... choices) {
        return choices[random.nextInt(choices.length)];
    }

    private <T> T pick(List<T> choices) {
        return choices.get(random.nextInt(choices.size()));
    }

    /** A choice and its weight: oneOf(w(3, a), w(1, b)) takes a three times in four. */
    private record Weighted<T>(int weight, Supplier<T> choice) {
    }

    private static <T> Weighted<T> w(int weight, Supplier<T> choice) {
        return new Weighted<>(weight, choice);
    }

    @SafeVarargs
    private <T> T oneOf(Weighted<T>... choices) {
        return choices[weightedIndex(Stream.of(choices).mapToInt(Weighted::weight).toArray())].choice().get();
    }

    /** An index drawn with the given weights: weightedIndex(3, 1) is 0 three times in four. */
    private int weightedIndex(int... weights) {
        int draw = random.nextInt(IntStream.of(weights).sum());
        for (int i = 0; ; i++) {
            draw -= weights[i];
            if (draw < 0) {
                return i;
            }
        }
    }

    private long between(long min, long max) {
        return min + (long) (random.nextDouble() * (max - min + 1));
    }

    private String days() {
        return random.nextInt(8) < 5 ? pick(DAYS) : String.valueOf(between(-10, 37_000));
    }

    private String randomString(String alphabet, int minLength, int maxLength) {
        int[] characters = alphabet.codePoints().toArray();
        StringBuilder text = new StringBuilder();
        for (int i = (int) between(minLength, maxLength); i > 0; i--) {
            text.appendCodePoint(characters[random.nextInt(characters.length)]);
        }
        return text.toString();
    }

    /** Any characters but surrogates, which the tables above place on purpose. */
    private String anyString(int minLength, int maxLength) {
        StringBuilder text = new StringBuilder();
        for (int i = (int) between(minLength, maxLength); i > 0; i--) {
            char c = (char) random.nextInt(0xFFFE);
            text.append(Character.isSurrogate(c) ? 'x' : c);
        }
        return text.toString();
    }

    /** Sets a key to a JSON value, or removes it for "missing"; returns the value as given. */
    private static String setOrRemove(ObjectNode object, String key, String json) {
        if (json.equals("missing")) {
            object.remove(key);
        } else {
            object.set(key, raw(json));
        }
        return json;
    }

    private static String topField(String path) {
        int dot = path.indexOf('.');
        return dot < 0 ? path : path.substring(0, dot);
    }

    private static void set(ObjectNode request, String path, JsonNode value) {
        int dot = path.indexOf('.');
        if (dot < 0) {
            request.set(path, value);
        } else {
            objectAt(request, path.substring(0, dot)).set(path.substring(dot + 1), value);
        }
    }

    private static ObjectNode objectAt(ObjectNode request, String field) {
        return request.get(field) instanceof ObjectNode object ? object : request.putObject(field);
    }

    private static void putRaw(ObjectNode object, String field, String json) {
        if (json != null) {
            object.set(field, raw(json));
        }
    }

    /** A JSON value written exactly as given, so that numbers keep their spelling (1e2, -0, 10^40). */
    private static JsonNode raw(String json) {
        return NODES.rawValueNode(new RawValue(json));
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String json(String text) {
        return NODES.textNode(text).toString();
    }

    private static BigInteger inRange(String literal, long min, long max) {
        if (!JSON_INTEGER.matcher(literal).matches() || literal.length() > 30) {
            return null;
        }
        BigInteger value = new BigInteger(literal);
        return value.compareTo(BigInteger.valueOf(min)) >= 0 && value.compareTo(BigInteger.valueOf(max)) <= 0
                ? value : null;
    }

    private static String prefix(String key) {
        return key.substring(0, Math.min(key.length(), PATH_PREFIX));
    }

    private static boolean hasUnpairedSurrogate(String text) {
        return UNPAIRED_SURROGATE.matcher(text).find();
    }

    private static ObjectNode sampleEvent(String name) {
        return object(LocalAws.event(name));
    }

    private static ObjectNode object(String json) {
        return (ObjectNode) parse(json);
    }

    /** Long texts shortened, control characters and surrogates escaped, so that a failure message stays readable. */
    static String abbreviate(String text) {
        String visible = text.length() <= 300 ? text
                : text.substring(0, 200) + "...(" + text.length() + " chars)..." + text.substring(text.length() - 60);
        return visible.chars().mapToObj(c -> c < 0x20 || Character.isSurrogate((char) c) || c == 0x7F
                ? String.format("\\u%04X", c) : String.valueOf((char) c)).collect(Collectors.joining());
    }
}
