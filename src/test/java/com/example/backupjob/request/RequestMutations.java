package com.example.backupjob.request;

import static com.example.backupjob.request.Expectation.Verdict.INVALID_REQUEST;
import static com.example.backupjob.request.Expectation.Verdict.INVALID_VALUE;
import static com.example.backupjob.request.Expectation.Verdict.MISSING_VALUE;

import com.example.backupjob.support.LocalAws;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
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
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;

/**
 * Generates inputs from the samples in events/ and from valid requests, mutated into bad (or still good) input, each
 * with what the contract (sections 1 to 3) says must come of it.
 */
final class RequestMutations {

    /** Replaced by a fresh value at each occurrence before each invocation, so that no two deliveries share a key. */
    static final String UNIQUE = "x0UNIQUE0x";
    /** Marks tag values, which are sensitive: no error message may repeat them. */
    static final String SECRET = "s3cr3t";

    private static final int HUGE = 100_000;
    private static final int PATH_PREFIX = 32;
    // Jackson's default limit on key length: a longer key is refused as not JSON, a fair answer for such input.
    private static final int MAX_NAME_LENGTH = 50_000;

    /** The deployment the input goes to: the sample one with defaults, or one without any defaults. */
    enum Env { DEFAULTS, NO_DEFAULTS }

    /** One generated invocation and what the contract says must come of it. */
    record Input(String label, List<String> kinds, Env env, String text, Expectation expected) {
        @Override
        public String toString() {
            return label + " [" + env + "] " + abbreviate(text);
        }
    }

    /**
     * One generated SQS event: the expectation of each record, or of the whole event when it is no usable batch.
     */
    record Batch(String label, Env env, String text, List<Expectation> records, Expectation whole) {
        @Override
        public String toString() {
            return label + " [" + env + "] " + abbreviate(text);
        }
    }

    /** A valid request changed only in ways that keep it valid, delivered as a plain request, event or batch. */
    record ValidDelivery(String label, Env env, String text, int jobs) {
        @Override
        public String toString() {
            return label + " [" + env + "] " + abbreviate(text);
        }
    }

    /** One change to a request object, made in place; it returns what the contract says the change causes. */
    record Mutation(String kind, String field, String detail, BiFunction<ObjectNode, Env, Expectation> change) {
        @Override
        public String toString() {
            return kind + " " + field + (detail.isEmpty() ? "" : " := " + abbreviate(detail));
        }
    }

    /** How a JSON tree is written: layout, escapes and key order (all insignificant in JSON). */
    record Render(boolean pretty, boolean escapeNonAscii, boolean escapeKeyInitials, long keyOrderSeed) {

        String write(JsonNode node) {
            JsonNode ordered = keyOrderSeed == 0 ? node : shuffled(node, new Random(keyOrderSeed));
            // A raw unpaired surrogate would not survive the UTF-8 encoding of the invocation, its escape does.
            String plain = writeWith(ordered, false);
            String text = escapeNonAscii || hasUnpairedSurrogate(plain) ? writeWith(ordered, true) : plain;
            return escapeKeyInitials ? withEscapedKeyInitials(text) : text;
        }

        private String writeWith(JsonNode node, boolean escape) {
            ObjectMapper mapper = escape ? ESCAPING_JSON : JSON;
            try {
                return pretty ? mapper.writerWithDefaultPrettyPrinter().writeValueAsString(node)
                        : mapper.writeValueAsString(node);
            } catch (JsonProcessingException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public String toString() {
            return (pretty ? "pretty" : "compact") + (escapeNonAscii ? ", \\u escapes" : "")
                    + (escapeKeyInitials ? ", escaped key initials" : "")
                    + (keyOrderSeed == 0 ? "" : ", keys shuffled");
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper ESCAPING_JSON = JsonMapper.builder()
            .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .build();
    private static final ObjectMapper STRICT_JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    // The contract's names and rules (sections 1 and 3), restated here rather than taken from the code under test.
    static final List<String> REQUEST_FIELDS = List.of("BackupVaultName", "LogicallyAirGappedBackupVaultArn",
            "ResourceArn", "IamRoleArn", "IdempotencyToken", "StartWindowMinutes", "CompleteWindowMinutes", "Lifecycle",
            "RecoveryPointTags", "BackupOptions", "Index");
    private static final List<String> REQUIRED_FIELDS = List.of("BackupVaultName", "ResourceArn", "IamRoleArn");
    private static final List<String> STRING_FIELDS = List.of("BackupVaultName", "LogicallyAirGappedBackupVaultArn",
            "ResourceArn", "IamRoleArn", "IdempotencyToken", "Index");
    private static final List<String> ARN_FIELDS = List.of("LogicallyAirGappedBackupVaultArn", "ResourceArn",
            "IamRoleArn");
    private static final List<String> OBJECT_FIELDS = List.of("Lifecycle", "RecoveryPointTags", "BackupOptions");
    private static final String COLD = "MoveToColdStorageAfterDays";
    private static final String DELETE = "DeleteAfterDays";
    private static final String OPT_IN = "OptInToArchiveForSupportedResources";
    private static final List<String> LIFECYCLE_FIELDS = List.of(COLD, DELETE, OPT_IN);
    private static final long MAX_WINDOW = 52_560_000L;
    private static final long MAX_DAYS = 36_500L;
    private static final Pattern VAULT_NAME = Pattern.compile("[a-zA-Z0-9\\-_]{2,50}");
    private static final Pattern JSON_INTEGER = Pattern.compile("-?(0|[1-9][0-9]*)");
    private static final Pattern ASCII_WHITESPACE = Pattern.compile("[ \\t\\n\\x0B\\f\\r]");
    private static final Pattern KEY_INITIAL = Pattern.compile("\"([A-Z])([A-Za-z]*\"\\s*:)");

    /** Field paths by the JSON type the contract gives them. */
    private enum Type { STRING, INTEGER, OBJECT, BOOLEAN }

    private static final Map<String, Type> PATHS = Map.ofEntries(
            Map.entry("BackupVaultName", Type.STRING),
            Map.entry("LogicallyAirGappedBackupVaultArn", Type.STRING),
            Map.entry("ResourceArn", Type.STRING),
            Map.entry("IamRoleArn", Type.STRING),
            Map.entry("IdempotencyToken", Type.STRING),
            Map.entry("Index", Type.STRING),
            Map.entry("StartWindowMinutes", Type.INTEGER),
            Map.entry("CompleteWindowMinutes", Type.INTEGER),
            Map.entry("Lifecycle", Type.OBJECT),
            Map.entry("RecoveryPointTags", Type.OBJECT),
            Map.entry("BackupOptions", Type.OBJECT),
            Map.entry("Lifecycle." + COLD, Type.INTEGER),
            Map.entry("Lifecycle." + DELETE, Type.INTEGER),
            Map.entry("Lifecycle." + OPT_IN, Type.BOOLEAN),
            Map.entry("RecoveryPointTags.team", Type.STRING),
            Map.entry("BackupOptions.WindowsVSS", Type.STRING));

    private static final Map<String, List<String>> GOOD_STRINGS = Map.of(
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

    private static final Map<String, List<String>> BAD_STRINGS = Map.of(
            "BackupVaultName", List.of("v", "v".repeat(51), "my vault", "vault!", "", "väult", "Default\n",
                    "arn:aws:backup:eu-west-1:123456789012:backup-vault:Default"),
            "LogicallyAirGappedBackupVaultArn", List.of(
                    "arn:aws:backup:eu-west-1:123456789012:recovery-point:abc",
                    "arn:aws:backup:eu-west-1:123456789012:backup-vault:",
                    "arn:aws:backup:eu-west-1:123456789012:backup-vault:bad name",
                    "arn:aws:iam::123456789012:role/vault", "air-gapped-vault", ""),
            "ResourceArn", List.of("orders-table", "arn:", "arn:aws", "arn:aws:s3",
                    "ARN:aws:s3:::bucket", " arn:aws:s3:::bucket", "arn:aws:s3:::bucket name",
                    "https://s3.amazonaws.com/bucket", ""),
            "IamRoleArn", List.of("arn:aws:iam::123456789012:user/bob", "arn:aws:iam::12345678901:role/x",
                    "AWSBackupDefaultServiceRole", "arn:aws:sts::123456789012:assumed-role/x/y",
                    "arn:aws:s3:::bucket", ""),
            "IdempotencyToken", List.of(),
            "Index", List.of("enabled", "Enabled", "ENABLED ", "", "TRUE", "ENABLED\u0000", "ＥＮＡＢＬＥＤ"));

    static final List<String> UNICODE = List.of("é", "e\u0301", "日本語", "😀", "\u202Eevil", "\u200B", "\u00A0",
            "\u2028", "ß", "İ", "ＡＢＣ", "مرحبا", "\uFEFF", "\uFFFD", "𝔘𝔫𝔦");
    static final List<String> CONTROL = List.of("\u0000", "\u0001", "\t", "\n", "\r", "\u001F", "\u007F", "\u0085");
    static final List<String> UNPAIRED_SURROGATES = List.of("\uD800", "\uDFFF", "a\uD83D");

    private RequestMutations() {
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Starting points

    /** Arbitraries and samples built once: jqwik arbitraries are immutable descriptions, safe to share. */
    private static final class Built {
        static final List<ObjectNode> SAMPLE_REQUESTS = readSampleRequests();
        static final Map<String, ObjectNode> SAMPLE_EVENTS = Stream.of("eventbridge-event.json",
                        "scheduled-rule.json", "sqs-batch.json")
                .collect(Collectors.toUnmodifiableMap(name -> name, name -> object(LocalAws.event(name))));
        static final Arbitrary<ObjectNode> VALID_REQUESTS = buildValidRequests();
        static final Arbitrary<Mutation> MUTATIONS = buildMutations();
        static final Arbitrary<Input> BROKEN_JSON = buildBrokenJson();
        static final Map<Env, Arbitrary<ObjectNode>> BASES = perEnv(RequestMutations::buildBases);
        static final Map<Env, Arbitrary<Input>> MUTATED_REQUESTS = perEnv(RequestMutations::buildMutatedRequests);
        static final Map<Env, Arbitrary<Input>> EVENTBRIDGE_EVENTS = perEnv(RequestMutations::buildEventBridgeEvents);
        static final Map<Env, Arbitrary<SqsRecord>> SQS_RECORDS = perEnv(RequestMutations::buildSqsRecords);

        private static <T> Map<Env, T> perEnv(Function<Env, T> build) {
            Map<Env, T> built = new EnumMap<>(Env.class);
            for (Env env : Env.values()) {
                built.put(env, build.apply(env));
            }
            return built;
        }
    }

    /** The requests inside the samples of events/, all valid in the sample deployment; copy before changing. */
    static List<ObjectNode> sampleRequests() {
        return Built.SAMPLE_REQUESTS;
    }

    /** A copy of a sample event of events/. */
    private static ObjectNode sampleEvent(String name) {
        return Built.SAMPLE_EVENTS.get(name).deepCopy();
    }

    private static List<ObjectNode> readSampleRequests() {
        JsonNode sqs = LocalAws.parse(LocalAws.event("sqs-batch.json"));
        return List.of(
                object(LocalAws.event("step-functions-input.json")),
                object(LocalAws.event("scheduler-input.json")),
                (ObjectNode) LocalAws.parse(LocalAws.event("eventbridge-event.json")).get("detail"),
                (ObjectNode) LocalAws.parse(LocalAws.event("scheduled-rule.json")).get("detail"),
                object(sqs.get("Records").get(0).get("body").textValue()),
                (ObjectNode) object(sqs.get("Records").get(1).get("body").textValue()).get("detail"));
    }

    static Arbitrary<Env> envs() {
        return Arbitraries.of(Env.values());
    }

    /** Valid requests: the samples and generated ones, with a unique token; complete when there are no defaults. */
    static Arbitrary<ObjectNode> bases(Env env) {
        return Built.BASES.get(env);
    }

    private static Arbitrary<ObjectNode> buildBases(Env env) {
        return Arbitraries.oneOf(Arbitraries.of(sampleRequests()), validRequests())
                .map(base -> {
                    ObjectNode request = base.deepCopy();
                    request.put("IdempotencyToken", "token-" + UNIQUE);
                    if (env == Env.NO_DEFAULTS) {
                        putIfAbsent(request, "BackupVaultName", LocalAws.VAULT);
                        putIfAbsent(request, "IamRoleArn", LocalAws.ROLE_ARN);
                        putIfAbsent(request, "ResourceArn", LocalAws.DEFAULT_RESOURCE_ARN);
                    }
                    return request;
                });
    }

    static Arbitrary<Render> renders() {
        return Combinators.combine(Arbitraries.of(true, false), Arbitraries.of(true, false),
                        Arbitraries.of(true, false), Arbitraries.longs().between(0, 1_000))
                .as((pretty, escape, keyInitials, seed) -> new Render(pretty, escape, keyInitials, seed));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Plain requests, EventBridge events, SQS batches

    /** A valid request with one to three mutations on different fields. */
    static Arbitrary<Input> mutatedRequests() {
        return envs().flatMap(RequestMutations::mutatedRequests);
    }

    static Arbitrary<Input> mutatedRequests(Env env) {
        return Built.MUTATED_REQUESTS.get(env);
    }

    /** One to three mutations on different fields, mostly one, so that each rule's error name is seen alone. */
    private static Arbitrary<List<Mutation>> someMutations(int min) {
        return mutations().list().ofMinSize(min).ofMaxSize(3).withSizeDistribution(RandomDistribution.biased())
                .uniqueElements(Mutation::field);
    }

    private static Arbitrary<Input> buildMutatedRequests(Env env) {
        return Combinators.combine(bases(env), someMutations(1), renders())
                .as((base, mutations, render) -> {
                    ObjectNode request = base.deepCopy();
                    Expectation expected = apply(mutations, request, env);
                    return new Input(labels(mutations), kinds(mutations), env, render.write(request), expected);
                });
    }

    /** An EventBridge event whose detail is a mutated request, and maybe whose envelope is changed too. */
    static Arbitrary<Input> eventBridgeEvents() {
        return envs().flatMap(Built.EVENTBRIDGE_EVENTS::get);
    }

    private static Arbitrary<Input> buildEventBridgeEvents(Env env) {
        return Combinators.combine(Arbitraries.of("eventbridge-event.json", "scheduled-rule.json"),
                        bases(env), someMutations(0), envelopeChanges(), renders())
                .as((sample, detail, mutations, envelope, render) -> {
                    ObjectNode request = detail.deepCopy();
                    Expectation expected = apply(mutations, request, env);
                    ObjectNode event = sampleEvent(sample);
                    event.put("id", "event-" + UNIQUE);
                    event.set("detail", request);
                    Expectation outcome = envelope.change().apply(event, env);
                    if (outcome.messagePattern() == null && !envelope.kind().equals("replaces detail")) {
                        outcome = outcome.and(expected);
                    } else if (event.get("detail") == request && expected.mayBeUnparseable()) {
                        // The envelope's problem decides, unless the parser gives up on the detail first.
                        outcome = outcome.parserMayGiveUp();
                    }
                    String label = "EventBridge " + sample + " " + envelope + "; detail: " + labels(mutations);
                    List<String> kinds = concat(List.of("envelope: " + envelope.kind()), kinds(mutations));
                    return new Input(label, kinds, env, render.write(event),
                            outcome.withSecret(expected.carriesSecret()));
                });
    }

    /** An SQS event of one to four records, each body good or bad, and maybe a broken envelope. */
    static Arbitrary<Batch> sqsBatches() {
        return envs().flatMap(env -> Combinators.combine(Built.SQS_RECORDS.get(env).list().ofMinSize(1).ofMaxSize(4),
                        sqsEnvelopeChanges(), Arbitraries.integers().between(0, 3), renders())
                .as((records, envelope, index, render) -> {
                    ObjectNode event = sampleEvent("sqs-batch.json");
                    ObjectNode template = (ObjectNode) event.get("Records").get(0);
                    ArrayNode array = event.putArray("Records");
                    List<Expectation> expectations = new ArrayList<>();
                    for (SqsRecord record : records) {
                        ObjectNode copy = template.deepCopy();
                        copy.put("messageId", "message-" + UNIQUE);
                        if (record.body() == null) {
                            copy.remove("body");
                        } else {
                            copy.set("body", record.body());
                        }
                        array.add(copy);
                        expectations.add(record.expected());
                    }
                    Expectation whole = envelope.change().apply(event, index % records.size());
                    String label = "SQS " + envelope.kind() + "; records: "
                            + records.stream().map(SqsRecord::label).collect(Collectors.joining(" | "));
                    return new Batch(label, env, render.write(event), expectations, whole);
                }));
    }

    /** One SQS record as generated: its body (null for none) and what must come of it. */
    record SqsRecord(String label, JsonNode body, Expectation expected) {
    }

    private static Arbitrary<SqsRecord> buildSqsRecords(Env env) {
        Arbitrary<SqsRecord> plain = mutatedRequests(env)
                .map(input -> new SqsRecord("plain: " + input.label(), NODES.textNode(input.text()), input.expected()));
        Arbitrary<SqsRecord> eventBridge = Built.EVENTBRIDGE_EVENTS.get(env)
                .map(input -> new SqsRecord(input.label(), NODES.textNode(input.text()), input.expected()));
        Arbitrary<SqsRecord> broken = brokenJson()
                .map(input -> new SqsRecord("body " + input.label(), NODES.textNode(input.text()), input.expected()));
        Arbitrary<SqsRecord> notText = Arbitraries.of("null", "42", "true", "[]",
                        "{\"ResourceArn\": \"arn:aws:s3:::bucket\"}", "missing")
                .map(body -> new SqsRecord("body " + body, body.equals("missing") ? null : raw(body),
                        Expectation.failsEarly("body")));
        Arbitrary<SqsRecord> valid = validRequests().map(request -> {
            ObjectNode copy = request.deepCopy();
            if (env == Env.NO_DEFAULTS) {
                putIfAbsent(copy, "BackupVaultName", LocalAws.VAULT);
                putIfAbsent(copy, "IamRoleArn", LocalAws.ROLE_ARN);
            }
            return new SqsRecord("valid", NODES.textNode(copy.toString()), Expectation.accepted());
        });
        return Arbitraries.frequencyOf(Tuple.of(5, plain), Tuple.of(2, eventBridge), Tuple.of(2, broken),
                Tuple.of(1, notText), Tuple.of(2, valid));
    }

    /** A change to an EventBridge envelope and what it causes. */
    record EnvelopeChange(String kind, String detail, BiFunction<ObjectNode, Env, Expectation> change) {
        @Override
        public String toString() {
            return kind + (detail.isEmpty() ? "" : " " + abbreviate(detail));
        }
    }

    private static Arbitrary<EnvelopeChange> envelopeChanges() {
        Arbitrary<EnvelopeChange> none = Arbitraries.just(new EnvelopeChange("envelope as sampled", "",
                (event, env) -> Expectation.accepted()));
        Arbitrary<EnvelopeChange> badId = Arbitraries.of("42", "null", "true", "{}", "[\"id\"]", "1.5")
                .map(id -> new EnvelopeChange("id", id, (event, env) -> {
                    event.set("id", raw(id));
                    return Expectation.failsEarly("\\bid\\b");
                }));
        Arbitrary<EnvelopeChange> oddId = Arbitraries.of("", " ", "é" + UNIQUE, "i".repeat(HUGE) + UNIQUE, "missing")
                .map(id -> new EnvelopeChange("id", id, (event, env) -> {
                    if (id.equals("missing")) {
                        event.remove("id");
                        return Expectation.accepted();
                    }
                    event.put("id", id);
                    return Expectation.either("id", INVALID_REQUEST, INVALID_VALUE);
                }));
        Arbitrary<EnvelopeChange> badDetail = Arbitraries.of("null", "\"orders\"", "[]", "[{}]", "0", "false",
                        "\"{\\\"ResourceArn\\\": \\\"arn:aws:s3:::bucket\\\"}\"")
                .map(detail -> new EnvelopeChange("replaces detail", detail, (event, env) -> {
                    event.set("detail", raw(detail));
                    return Expectation.failsEarly("must be a JSON object");
                }));
        Arbitrary<EnvelopeChange> lostShape = Arbitraries.of("detail", "detail-type")
                .map(key -> new EnvelopeChange("replaces detail", "without " + key, (event, env) -> {
                    event.remove(key);
                    // No longer an EventBridge event: a plain request full of unknown keys.
                    return Expectation.rejected(INVALID_REQUEST, key.equals("detail") ? "detail-type" : "detail");
                }));
        Arbitrary<EnvelopeChange> ignored = Arbitraries.of("source", "time", "resources", "detail-type", "version",
                        "account", "Detail", "Records")
                .flatMap(key -> Arbitraries.of("null", "42", "[]", "{}", "\"" + "x".repeat(300) + "\"")
                        .map(value -> new EnvelopeChange("envelope " + key, value, (event, env) -> {
                            event.set(key, raw(value));
                            return Expectation.accepted();
                        })));
        return Arbitraries.frequencyOf(Tuple.of(6, none), Tuple.of(1, badId), Tuple.of(1, oddId),
                Tuple.of(1, badDetail), Tuple.of(1, lostShape), Tuple.of(2, ignored));
    }

    /** A change to an SQS envelope, at one record index, and what it causes to the whole invocation. */
    record SqsEnvelopeChange(String kind, BiFunction<ObjectNode, Integer, Expectation> change) {
    }

    private static Arbitrary<SqsEnvelopeChange> sqsEnvelopeChanges() {
        Arbitrary<SqsEnvelopeChange> none = Arbitraries.just(new SqsEnvelopeChange("envelope as sampled",
                (event, index) -> null));
        Arbitrary<SqsEnvelopeChange> badMessageId = Arbitraries.of("missing", "null", "42", "\"\"", "{}")
                .map(id -> new SqsEnvelopeChange("messageId " + id, (event, index) -> {
                    ObjectNode record = (ObjectNode) event.get("Records").get(index);
                    if (id.equals("missing")) {
                        record.remove("messageId");
                    } else {
                        record.set("messageId", raw(id));
                    }
                    return Expectation.failsEarly("Records\\[" + index + "\\]\\.messageId");
                }));
        Arbitrary<SqsEnvelopeChange> notSqs = Arbitraries.of("\"aws:sns\"", "\"AWS:SQS\"", "null", "missing")
                .map(source -> new SqsEnvelopeChange("eventSource " + source, (event, index) -> {
                    ObjectNode record = (ObjectNode) event.get("Records").get(index);
                    if (source.equals("missing")) {
                        record.remove("eventSource");
                    } else {
                        record.set("eventSource", raw(source));
                    }
                    // No longer an SQS event: a plain request with the unknown key Records.
                    return Expectation.rejected(INVALID_REQUEST, "Records");
                }));
        Arbitrary<SqsEnvelopeChange> ignored = Arbitraries.of("receiptHandle", "attributes", "md5OfBody",
                        "awsRegion", "messageAttributes")
                .map(key -> new SqsEnvelopeChange(key + " null", (event, index) -> {
                    ((ObjectNode) event.get("Records").get(index)).putNull(key);
                    return null;
                }));
        return Arbitraries.frequencyOf(Tuple.of(8, none), Tuple.of(1, badMessageId), Tuple.of(1, notSqs),
                Tuple.of(1, ignored));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Input that is no JSON object at all

    /** Not JSON, truncated JSON, or JSON that is not an object: always InvalidRequestException. */
    static Arbitrary<Input> brokenJson() {
        return Built.BROKEN_JSON;
    }

    private static Arbitrary<Input> buildBrokenJson() {
        Expectation notJsonOrNotObject = Expectation.failsEarly("not valid JSON|must be a JSON object");
        Arbitrary<String> nonObjects = Arbitraries.oneOf(
                Arbitraries.of("[]", "[{}]", "[" + LocalAws.event("step-functions-input.json") + "]", "\"text\"",
                        "\"{\\\"ResourceArn\\\": \\\"arn:aws:s3:::bucket\\\"}\"", "true", "false", "null", "0", "-1",
                        "1.5e300", "123456789012345678901234567890", "\"" + "x".repeat(HUGE) + "\""),
                numberLiterals());
        Arbitrary<String> empty = Arbitraries.of("", " ", "\n\t ", "\r\n");
        Arbitrary<String> truncated = Combinators.combine(sampleTexts(), Arbitraries.doubles().between(0, 1))
                .as((text, fraction) -> {
                    String whole = text.strip();
                    return whole.substring(0, (int) Math.min(whole.length() - 1, fraction * whole.length()));
                });
        Arbitrary<String> syntaxErrors = Combinators.combine(sampleTexts(), Arbitraries.of(SyntaxError.values()))
                .as((text, error) -> error.inject(text.strip()));
        Arbitrary<String> deep = Combinators.combine(Arbitraries.of(1_000, 10_000, HUGE),
                        Arbitraries.of("[", "{\"a\":", "[{\"a\":"))
                .as((depth, open) -> open.repeat(depth) + "1");
        Arbitrary<String> garbage = Arbitraries.oneOf(
                Arbitraries.strings().ofMinLength(1).ofMaxLength(200),
                Arbitraries.strings().ascii().ofMinLength(1).ofMaxLength(200),
                Arbitraries.of("backup the ledger table please", "ResourceArn=arn:aws:s3:::bucket",
                        "<xml/>", "%7B%7D", "\u0000", "\uFEFF", "g".repeat(HUGE)))
                .filter(text -> !isLenientlyAnObject(text));
        return Arbitraries.frequencyOf(
                        Tuple.of(3, nonObjects.map(text -> Tuple.of("non-object", text))),
                        Tuple.of(1, empty.map(text -> Tuple.of("empty", text))),
                        Tuple.of(4, truncated.map(text -> Tuple.of("truncated", text))),
                        Tuple.of(3, syntaxErrors.map(text -> Tuple.of("syntax error", text))),
                        Tuple.of(1, deep.map(text -> Tuple.of("deep nesting", text))),
                        Tuple.of(2, garbage.map(text -> Tuple.of("garbage", text))))
                .map(labelled -> new Input(labelled.get1(), List.of(labelled.get1()), Env.DEFAULTS, labelled.get2(),
                        notJsonOrNotObject));
    }

    /** A valid request or event followed by more text, which makes the input no JSON text. */
    static Arbitrary<Input> trailingContent() {
        Arbitrary<String> suffixes = Arbitraries.of(" x", "}", "]", "{}", ",", " null", " // comment", " /* c */",
                " {\"ResourceArn\": \"arn:aws:s3:::another-bucket\"}", "\u0000", " garbage", "\"", "=");
        Arbitrary<String> valid = Arbitraries.oneOf(
                validRequests().map(JsonNode::toString),
                Arbitraries.of("eventbridge-event.json", "scheduled-rule.json", "scheduler-input.json")
                        .map(name -> LocalAws.event(name).strip().replace("\"id\": \"", "\"id\": \"" + UNIQUE)
                                .replace("\"IdempotencyToken\": \"", "\"IdempotencyToken\": \"" + UNIQUE)));
        return Combinators.combine(valid, suffixes)
                .as((text, suffix) -> new Input("followed by " + abbreviate(suffix), List.of("trailing content"),
                        Env.DEFAULTS, text + suffix, Expectation.failsEarly("not valid JSON")));
    }

    private static Arbitrary<String> sampleTexts() {
        return Arbitraries.oneOf(
                Arbitraries.of("eventbridge-event.json", "scheduled-rule.json", "scheduler-input.json",
                        "step-functions-input.json", "sqs-batch.json").map(LocalAws::event),
                validRequests().map(JsonNode::toString));
    }

    /** Ways to break the syntax of a JSON object text. */
    private enum SyntaxError {
        SINGLE_QUOTES(text -> text.replace('"', '\'')),
        TRAILING_COMMA(text -> text.substring(0, text.length() - 1) + ",}"),
        COMMENT(text -> "{/* comment */" + text.substring(1)),
        UNQUOTED_KEY(text -> text.replaceFirst("\"([A-Za-z-]+)\"\\s*:", "$1:")),
        NAN(text -> "{\"StartWindowMinutes\": NaN," + text.substring(1)),
        INFINITY(text -> "{\"StartWindowMinutes\": -Infinity," + text.substring(1)),
        LEADING_ZERO(text -> "{\"StartWindowMinutes\": 060," + text.substring(1)),
        PLUS_SIGN(text -> "{\"StartWindowMinutes\": +60," + text.substring(1)),
        HEX(text -> "{\"StartWindowMinutes\": 0x3C," + text.substring(1)),
        RAW_CONTROL_CHARACTER(text -> text.replaceFirst("\"\\s*:\\s*\"", "\": \"\u0001")),
        RAW_NEWLINE_IN_STRING(text -> text.replaceFirst("\"\\s*:\\s*\"", "\": \"\n")),
        MISSING_COLON(text -> text.replaceFirst("\"\\s*:", "\" ")),
        MISSING_COMMA(text -> text.replaceFirst(",(\\s*\")", " $1")),
        DUPLICATE_KEY(text -> "{\"Index\": \"ENABLED\", \"Index\": \"ENABLED\"," + text.substring(1)),
        DUPLICATE_KEY_BY_ESCAPE(text -> "{\"Index\": \"ENABLED\", \"\\u0049ndex\": \"ENABLED\"," + text.substring(1)),
        INVALID_ESCAPE(text -> text.replaceFirst("\"\\s*:\\s*\"", "\": \"\\\\x41")),
        SHORT_UNICODE_ESCAPE(text -> text.replaceFirst("\"\\s*:\\s*\"", "\": \"\\\\u12G")),
        UNTERMINATED_STRING(text -> text.substring(0, text.lastIndexOf('"'))),
        LEADING_GARBAGE(text -> "x" + text),
        LEADING_COMMA(text -> "," + text);

        private final UnaryOperator<String> inject;

        SyntaxError(UnaryOperator<String> inject) {
            this.inject = inject;
        }

        String inject(String text) {
            return inject.apply(text);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Mutations of one request object

    static Arbitrary<Mutation> mutations() {
        return Built.MUTATIONS;
    }

    private static Arbitrary<Mutation> buildMutations() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, wrongTypes()),
                Tuple.of(3, windowNumbers()),
                Tuple.of(4, strings()),
                Tuple.of(3, lifecycles()),
                Tuple.of(3, tags()),
                Tuple.of(2, backupOptions()),
                Tuple.of(3, renamedKeys()),
                Tuple.of(3, unknownKeys()),
                Tuple.of(2, removals()),
                Tuple.of(1, deepNesting()),
                Tuple.of(1, hugeMaps()));
    }

    /** A JSON value of another type than the field's: always InvalidRequestException naming the field. */
    static Arbitrary<Mutation> wrongTypes() {
        return Arbitraries.of(List.copyOf(PATHS.keySet()).stream().sorted().toList())
                .flatMap(path -> Arbitraries.of(wrongValues(PATHS.get(path)))
                        .map(value -> new Mutation("wrong type", topField(path), value, (request, env) -> {
                            set(request, path, raw(value));
                            return Expectation.rejected(INVALID_REQUEST, path);
                        })));
    }

    private static List<String> wrongValues(Type type) {
        return switch (type) {
            case STRING -> List.of("42", "-1", "4.2", "1e3", "true", "false", "null", "[]", "[\"x\"]", "{}",
                    "{\"value\": \"x\"}", "123456789012345678901234567890");
            case INTEGER -> List.of("\"60\"", "\"\"", "60.0", "60.5", "6E1", "1e400", "-0.0", "true", "null", "[60]",
                    "{}", "{\"minutes\": 60}", "\"sixty\"");
            case OBJECT -> List.of("\"{}\"", "\"\"", "0", "1.5", "true", "null", "[]", "[{}]", "\"ENABLED\"");
            case BOOLEAN -> List.of("\"true\"", "\"false\"", "1", "0", "null", "[]", "{}", "\"yes\"");
        };
    }

    /** Window minutes from a spread of numbers: boundaries, huge integers, decimals, negatives. */
    static Arbitrary<Mutation> windowNumbers() {
        return Combinators.combine(Arbitraries.of("StartWindowMinutes", "CompleteWindowMinutes"), numberLiterals())
                .as((field, literal) -> new Mutation("number", field, literal, (request, env) -> {
                    request.set(field, raw(literal));
                    long min = field.equals("StartWindowMinutes") ? 60 : 1;
                    return integerExpectation(field, literal, min, MAX_WINDOW);
                }));
    }

    static Arbitrary<String> numberLiterals() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.of("-1", "0", "1", "59", "60", "61", "52559999", "52560000", "52560001",
                        "-0", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
                        "-9223372036854775809", "1" + "0".repeat(40), "-" + "9".repeat(30), "36500", "36501")),
                Tuple.of(2, Arbitraries.longs().map(String::valueOf)),
                Tuple.of(2, Arbitraries.longs().between(-100, 60_000_000).map(String::valueOf)),
                Tuple.of(2, Arbitraries.of("60.0", "60.5", "1e2", "1E+2", "-1.5", "0.0", "52560000.0", "1e400",
                        "1.0e-400", "-0.0", "6.0E1")),
                Tuple.of(1, Arbitraries.of("9".repeat(2_000), "-" + "1".repeat(1_500))));
    }

    /** What the contract says of an integer field given this number: range checked, decimals rejected. */
    private static Expectation integerExpectation(String path, String literal, long min, long max) {
        if (!JSON_INTEGER.matcher(literal).matches()) {
            return Expectation.rejected(INVALID_REQUEST, path);
        }
        if (literal.length() > 900) {
            // The parser's number-length limit may refuse it as not JSON before validation sees it.
            return Expectation.rejectedAsAnyOf(path, INVALID_REQUEST, INVALID_VALUE).parserMayGiveUp();
        }
        BigInteger value = new BigInteger(literal);
        boolean inRange = value.compareTo(BigInteger.valueOf(min)) >= 0
                && value.compareTo(BigInteger.valueOf(max)) <= 0;
        return inRange ? Expectation.accepted(path) : Expectation.rejected(INVALID_VALUE, path);
    }

    /** String fields given good, bad, huge, unicode and control-character values. */
    static Arbitrary<Mutation> strings() {
        return Arbitraries.of(STRING_FIELDS).flatMap(field -> stringValues(field)
                .map(value -> new Mutation("string", field, value, (request, env) -> {
                    request.put(field, value);
                    return stringExpectation(field, value);
                })));
    }

    private static Arbitrary<String> stringValues(String field) {
        List<String> good = GOOD_STRINGS.get(field);
        List<UnaryOperator<String>> transforms = List.of(
                value -> "",
                value -> " ",
                value -> "\t\n",
                value -> "a".repeat(HUGE),
                value -> value + "a".repeat(HUGE),
                value -> value.toUpperCase(Locale.ROOT),
                value -> value.toLowerCase(Locale.ROOT),
                value -> " " + value + " ",
                value -> value.repeat(3),
                value -> value.substring(1),
                value -> value.substring(0, value.length() - 1));
        Arbitrary<String> transformed = Combinators.combine(Arbitraries.of(good), Arbitraries.of(transforms))
                .as((value, transform) -> transform.apply(value));
        Arbitrary<String> withOddCharacters = Combinators.combine(Arbitraries.of(good),
                        Arbitraries.of(concat(UNICODE, CONTROL, UNPAIRED_SURROGATES)),
                        Arbitraries.integers().between(0, 2))
                .as((value, odd, where) -> switch (where) {
                    case 0 -> odd + value;
                    case 1 -> value.substring(0, value.length() / 2) + odd + value.substring(value.length() / 2);
                    default -> value + odd;
                });
        List<Arbitrary<String>> choices = new ArrayList<>(List.of(Arbitraries.of(good), transformed, withOddCharacters,
                Arbitraries.strings().ofMaxLength(60)));
        if (!BAD_STRINGS.get(field).isEmpty()) {
            choices.add(Arbitraries.of(BAD_STRINGS.get(field)));
        }
        return Arbitraries.oneOf(choices);
    }

    /** What the contract says of a string field given this value. */
    private static Expectation stringExpectation(String field, String value) {
        Expectation expected = switch (field) {
            case "BackupVaultName" -> VAULT_NAME.matcher(value).matches() ? Expectation.accepted(field)
                    : Expectation.rejected(INVALID_VALUE, field);
            case "Index" -> value.equals("ENABLED") || value.equals("DISABLED") ? Expectation.accepted(field)
                    : Expectation.rejected(INVALID_VALUE, field);
            // The contract sets no rule for tokens; a blank one may fairly be refused.
            case "IdempotencyToken" -> value.isBlank() ? Expectation.either(field, INVALID_VALUE)
                    : Expectation.accepted(field);
            default -> arnExpectation(field, value);
        };
        return hasUnpairedSurrogate(value) ? expected.orRejected(INVALID_REQUEST, INVALID_VALUE) : expected;
    }

    /** A well-formed ARN of the right kind is accepted, something that is plainly no ARN is not; the rest is open. */
    private static Expectation arnExpectation(String field, String value) {
        if (GOOD_STRINGS.get(field).contains(value)) {
            return Expectation.accepted(field);
        }
        if (BAD_STRINGS.get(field).contains(value) || !value.startsWith("arn:")
                || ASCII_WHITESPACE.matcher(value).find()) {
            return Expectation.rejected(INVALID_VALUE, field);
        }
        return Expectation.either(field, INVALID_VALUE);
    }

    /** Whole Lifecycle objects from boundary day counts, wrong types and extra keys. */
    static Arbitrary<Mutation> lifecycles() {
        Arbitrary<String> days = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.of("-1", "0", "1", "2", "30", "89", "90", "91", "365", "36409", "36410",
                        "36411", "36499", "36500", "36501", "9223372036854775807", "-9223372036854775808",
                        "1" + "0".repeat(25), "-0")),
                Tuple.of(3, Arbitraries.integers().between(-10, 37_000).map(String::valueOf)),
                Tuple.of(1, Arbitraries.of("30.0", "1e2", "\"30\"", "null", "true", "[30]", "{}")));
        Arbitrary<String> optIn = Arbitraries.of("true", "false", "\"true\"", "1", "null", "[]");
        Arbitrary<String> extraKey = Arbitraries.of("DeleteAfterEvent", "DeleteAfterWeeks", "deleteAfterDays",
                "MoveToColdStorageAfterDay", "", "OptInToArchive", "MoveToColdStorageAfterDays ");
        return Combinators.combine(days.injectNull(0.25), days.injectNull(0.25), optIn.injectNull(0.6),
                        extraKey.injectNull(0.8))
                .as((cold, delete, archive, extra) -> {
                    ObjectNode lifecycle = NODES.objectNode();
                    putRaw(lifecycle, COLD, cold);
                    putRaw(lifecycle, DELETE, delete);
                    putRaw(lifecycle, OPT_IN, archive);
                    if (extra != null) {
                        lifecycle.put(extra, extra.equals("DeleteAfterEvent") ? "DELETE_AFTER_COPY" : "x");
                    }
                    return new Mutation("lifecycle", "Lifecycle", lifecycle.toString(), (request, env) -> {
                        request.set("Lifecycle", lifecycle.deepCopy());
                        return lifecycleExpectation(cold, delete, archive, extra);
                    });
                });
    }

    private static Expectation lifecycleExpectation(String cold, String delete, String archive, String extra) {
        Expectation expected = Expectation.accepted("Lifecycle");
        BigInteger coldDays = null;
        BigInteger deleteDays = null;
        if (cold != null) {
            expected = expected.and(integerExpectation("Lifecycle." + COLD, cold, 1, MAX_DAYS));
            coldDays = inRange(cold, 1, MAX_DAYS);
        }
        if (delete != null) {
            expected = expected.and(integerExpectation("Lifecycle." + DELETE, delete, 1, MAX_DAYS));
            deleteDays = inRange(delete, 1, MAX_DAYS);
        }
        if (coldDays != null && deleteDays != null
                && deleteDays.compareTo(coldDays.add(BigInteger.valueOf(90))) < 0) {
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

    /** Whole RecoveryPointTags objects: counts around 50 and 1,000, odd keys, long and non-string values. */
    static Arbitrary<Mutation> tags() {
        Arbitrary<String> keys = Arbitraries.oneOf(
                Arbitraries.strings().alpha().numeric().withChars("-_.:/=+@ ").ofMinLength(1).ofMaxLength(20),
                Arbitraries.of("team", "owner", "k".repeat(128), "k".repeat(129), "", "aws:created-by", "AWS:owner",
                        "Aws:x", "aws", "aws-owner", " aws:x", "日本語", "😀", "e\u0301", "\u0000", "tab\tkey",
                        "\uD800", "x".repeat(HUGE)),
                Arbitraries.strings().ofMinLength(1).ofMaxLength(30));
        Arbitrary<JsonNode> values = Arbitraries.oneOf(
                Arbitraries.strings().alpha().numeric().ofMaxLength(20).map(s -> NODES.textNode(SECRET + "-" + s)),
                Arbitraries.of("", "v".repeat(256), "v".repeat(257), SECRET.repeat(HUGE / SECRET.length()),
                        SECRET + "\u0000\n", SECRET + "😀", SECRET + "\uDFFF").map(NODES::textNode),
                Arbitraries.of(concat(UNICODE, CONTROL)).map(NODES::textNode),
                Arbitraries.strings().ofMaxLength(40).map(s -> NODES.textNode(SECRET + s)),
                Arbitraries.of("1", "1.5", "true", "null", "{}", "[]", "{\"name\": \"x\"}").map(RequestMutations::raw));
        Arbitrary<List<Map.Entry<String, JsonNode>>> few = Arbitraries.entries(keys, values).list().ofMaxSize(6)
                .uniqueElements(Map.Entry::getKey);
        Arbitrary<List<Map.Entry<String, JsonNode>>> many = Arbitraries.of(50, 51, 1_000)
                .map(count -> IntStream.range(0, count)
                        .mapToObj(i -> Map.entry("tag-" + i, (JsonNode) NODES.textNode(SECRET + i)))
                        .toList());
        return Arbitraries.frequencyOf(Tuple.of(4, few), Tuple.of(1, many)).map(entries -> {
            ObjectNode tags = NODES.objectNode();
            entries.forEach(entry -> tags.set(entry.getKey(), entry.getValue()));
            String detail = entries.size() > 6 ? entries.size() + " tags" : tags.toString();
            return new Mutation("tags", "RecoveryPointTags", detail, (request, env) -> {
                request.set("RecoveryPointTags", tags.deepCopy());
                return tagsExpectation(entries);
            });
        });
    }

    private static Expectation tagsExpectation(List<Map.Entry<String, JsonNode>> tags) {
        Expectation expected = Expectation.accepted("RecoveryPointTags");
        if (tags.size() > 50) {
            expected = expected.and(Expectation.rejected(INVALID_VALUE, "RecoveryPointTags"));
        }
        boolean secret = false;
        for (Map.Entry<String, JsonNode> tag : tags) {
            String key = tag.getKey();
            String path = "RecoveryPointTags." + prefix(key);
            if (key.length() > MAX_NAME_LENGTH) {
                expected = expected.and(Expectation.rejectedAsAnyOf(path, INVALID_REQUEST, INVALID_VALUE)
                        .parserMayGiveUp());
            } else if (key.isEmpty() || key.length() > 128) {
                expected = expected.and(Expectation.rejected(INVALID_VALUE, path));
            } else if (key.startsWith("aws:")) {
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

    /** Whole BackupOptions objects: WindowsVSS right and wrong, other options, 1,000 options. */
    static Arbitrary<Mutation> backupOptions() {
        Arbitrary<String> keys = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.just("WindowsVSS")),
                Tuple.of(1, Arbitraries.of("windowsVSS", "WindowsVss", "WINDOWSVSS", "Compression", "",
                        "WindowsVSS ", "Windows\u200BVSS")));
        Arbitrary<JsonNode> values = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of("enabled", "disabled").map(NODES::textNode)),
                Tuple.of(2, Arbitraries.of("Enabled", "ENABLED", "on", "", "e".repeat(HUGE), "enabled\u0000",
                        "énabled").map(NODES::textNode)),
                Tuple.of(1, Arbitraries.of("true", "1", "null", "{}", "[\"enabled\"]").map(RequestMutations::raw)));
        Arbitrary<List<Map.Entry<String, JsonNode>>> few = Arbitraries.entries(keys, values).list().ofMaxSize(3)
                .uniqueElements(Map.Entry::getKey);
        Arbitrary<List<Map.Entry<String, JsonNode>>> many = Arbitraries.just(IntStream.range(0, 1_000)
                .mapToObj(i -> Map.entry("Option" + i, (JsonNode) NODES.textNode("enabled"))).toList());
        return Arbitraries.frequencyOf(Tuple.of(6, few), Tuple.of(1, many)).map(entries -> {
            ObjectNode options = NODES.objectNode();
            entries.forEach(entry -> options.set(entry.getKey(), entry.getValue()));
            String detail = entries.size() > 3 ? entries.size() + " options" : options.toString();
            return new Mutation("backup options", "BackupOptions", detail, (request, env) -> {
                request.set("BackupOptions", options.deepCopy());
                Expectation expected = Expectation.accepted("BackupOptions");
                for (Map.Entry<String, JsonNode> option : entries) {
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
        });
    }

    /** A known key misspelt: other case, typo, look-alike letter, stray space. */
    static Arbitrary<Mutation> renamedKeys() {
        List<String> paths = concat(REQUEST_FIELDS,
                LIFECYCLE_FIELDS.stream().map(field -> "Lifecycle." + field).toList());
        return Combinators.combine(Arbitraries.of(paths), Arbitraries.of(Typo.values()),
                        Arbitraries.integers().between(0, 1_000))
                .as((path, typo, position) -> {
                    String key = path.startsWith("Lifecycle.") ? path.substring("Lifecycle.".length()) : path;
                    return Tuple.of(path, typo, typo.apply(key, position));
                })
                .filter(typo -> !REQUEST_FIELDS.contains(typo.get3()) && !LIFECYCLE_FIELDS.contains(typo.get3())
                        && !typo.get3().equals("DeleteAfterEvent"))
                .map(typo -> {
                    String path = typo.get1();
                    String misspelt = typo.get3();
                    boolean nested = path.startsWith("Lifecycle.");
                    String key = nested ? path.substring("Lifecycle.".length()) : path;
                    return new Mutation("misspelt key", nested ? "Lifecycle" : key, typo.get2() + ": " + misspelt,
                            (request, env) -> {
                                ObjectNode parent = nested ? objectAt(request, "Lifecycle") : request;
                                JsonNode value = parent.has(key) ? parent.remove(key) : validValue(key);
                                parent.set(misspelt, value);
                                return Expectation.rejected(INVALID_REQUEST, (nested ? "Lifecycle." : "")
                                        + prefix(misspelt));
                            });
                });
    }

    /** Ways to misspell a key. */
    private enum Typo {
        LOWER_CASE, UPPER_CASE, TOGGLED_INITIAL, DROPPED_LETTER, DOUBLED_LETTER, SWAPPED_LETTERS, PLURAL,
        TRAILING_SPACE, LEADING_SPACE, ZERO_WIDTH_SPACE, CYRILLIC_LOOK_ALIKE, SNAKE_CASE, TRAILING_TAB;

        String apply(String key, int position) {
            int at = position % key.length();
            return switch (this) {
                case LOWER_CASE -> key.toLowerCase(Locale.ROOT);
                case UPPER_CASE -> key.toUpperCase(Locale.ROOT);
                case TOGGLED_INITIAL -> Character.toLowerCase(key.charAt(0)) + key.substring(1);
                case DROPPED_LETTER -> key.substring(0, at) + key.substring(at + 1);
                case DOUBLED_LETTER -> key.substring(0, at + 1) + key.substring(at);
                case SWAPPED_LETTERS -> at + 1 < key.length()
                        ? key.substring(0, at) + key.charAt(at + 1) + key.charAt(at) + key.substring(at + 2)
                        : key.charAt(key.length() - 1) + key.substring(0, key.length() - 1);
                case PLURAL -> key + "s";
                case TRAILING_SPACE -> key + " ";
                case LEADING_SPACE -> " " + key;
                case ZERO_WIDTH_SPACE -> key.substring(0, at) + "\u200B" + key.substring(at);
                case CYRILLIC_LOOK_ALIKE -> key.replaceFirst("[aeoc]", String.valueOf((char) 0x043E));
                case SNAKE_CASE -> key.replaceAll("([a-z])([A-Z])", "$1_$2");
                case TRAILING_TAB -> key + "\t";
            };
        }
    }

    /** A key the contract does not know, with any value. */
    static Arbitrary<Mutation> unknownKeys() {
        Arbitrary<String> keys = Arbitraries.oneOf(
                Arbitraries.of("Priority", "Tags", "RecoveryPointTag", "BackupVault", "DeleteAfterDays",
                        "MoveToColdStorageAfterDays", "OptInToArchiveForSupportedResources", "DeleteAfterEvent",
                        "WindowsVSS", "BackupJobId", "RecoveryPointArn", "IsParent", "CreationDate", "BackupPlanId",
                        "ResourceType", "", " ", "__proto__", "constructor", "prototype", "$type", "@class", "null",
                        "0", "日本語", "😀", "\u0000", "tab\t", "\uD800", "K".repeat(HUGE), "version", "source",
                        "id", "time", "region", "messageId", "body"),
                Arbitraries.strings().ofMinLength(1).ofMaxLength(30))
                .filter(key -> !REQUEST_FIELDS.contains(key)
                        && !List.of("detail", "detail-type", "Records").contains(key));
        Arbitrary<String> values = Arbitraries.of("\"x\"", "1", "null", "true", "{}", "[]", "\"ENABLED\"",
                "{\"ResourceArn\": \"arn:aws:s3:::bucket\"}");
        return Combinators.combine(keys, values).as((key, value) -> new Mutation("unknown key", "+" + key, value,
                (request, env) -> {
                    request.set(key, raw(value));
                    Expectation expected = Expectation.rejected(INVALID_REQUEST, prefix(key));
                    return key.length() > MAX_NAME_LENGTH ? expected.parserMayGiveUp() : expected;
                }));
    }

    /** A field left out: fine when the deployment has a default or the field is optional. */
    static Arbitrary<Mutation> removals() {
        return Arbitraries.of(REQUEST_FIELDS).map(field -> new Mutation("removed", field, "", (request, env) -> {
            request.remove(field);
            return env == Env.NO_DEFAULTS && REQUIRED_FIELDS.contains(field)
                    ? Expectation.rejected(MISSING_VALUE, field)
                    : Expectation.accepted(field);
        }));
    }

    /** A value nested in arrays or objects up to 100,000 levels deep. */
    static Arbitrary<Mutation> deepNesting() {
        return Combinators.combine(Arbitraries.of(List.copyOf(PATHS.keySet()).stream().sorted().toList()),
                        Arbitraries.of(2, 20, 200, 499, 1_000, 5_000, HUGE), Arbitraries.of(true, false))
                .as((path, depth, arrays) -> {
                    // Objects nested in an object field would read as options or tags, so those get arrays.
                    boolean useArrays = arrays || PATHS.get(path) == Type.OBJECT;
                    String nested = useArrays ? "[".repeat(depth) + "1" + "]".repeat(depth)
                            : "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
                    return new Mutation("deep nesting", topField(path), depth + (useArrays ? " arrays" : " objects"),
                            (request, env) -> {
                                set(request, path, raw(nested));
                                Expectation expected = Expectation.rejected(INVALID_REQUEST, path);
                                return depth >= 200 ? expected.parserMayGiveUp() : expected;
                            });
                });
    }

    /** A thousand unknown keys at the top or in Lifecycle, or a 10,000-element array for a field. */
    static Arbitrary<Mutation> hugeMaps() {
        return Arbitraries.of("top", "Lifecycle", "array").map(where -> switch (where) {
            case "top" -> new Mutation("1,000 unknown keys", "+Unknown", "", (request, env) -> {
                IntStream.range(0, 1_000).forEach(i -> request.put("Unknown" + i, i));
                return Expectation.rejected(INVALID_REQUEST, "Unknown0");
            });
            case "Lifecycle" -> new Mutation("1,000 unknown keys", "Lifecycle", "", (request, env) -> {
                ObjectNode lifecycle = NODES.objectNode();
                IntStream.range(0, 1_000).forEach(i -> lifecycle.put("Days" + i, i));
                request.set("Lifecycle", lifecycle);
                return Expectation.rejected(INVALID_REQUEST, "Lifecycle.Days0");
            });
            default -> new Mutation("10,000-element array", "ResourceArn", "", (request, env) -> {
                ArrayNode array = request.putArray("ResourceArn");
                IntStream.range(0, 10_000).forEach(i -> array.add("arn:aws:s3:::bucket-" + i));
                return Expectation.rejected(INVALID_REQUEST, "ResourceArn");
            });
        });
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Valid requests

    /** Valid requests: a sample with optional fields added or replaced by valid values, and a unique resource. */
    static Arbitrary<ObjectNode> validRequests() {
        return Built.VALID_REQUESTS;
    }

    private static Arbitrary<ObjectNode> buildValidRequests() {
        Arbitrary<List<Map.Entry<String, JsonNode>>> additions = Arbitraries.oneOf(
                        validStrings("BackupVaultName", Arbitraries.strings().alpha().numeric().withChars("-_")
                                .ofMinLength(2).ofMaxLength(50)),
                        validStrings("IamRoleArn", Combinators.combine(partitions(), accounts(),
                                        Arbitraries.strings().alpha().numeric().withChars("+=,.@-_/").ofMinLength(1)
                                                .ofMaxLength(64).filter(name -> !name.startsWith("/")))
                                .as((partition, account, name) -> "arn:" + partition + ":iam::" + account + ":role/"
                                        + name)),
                        validStrings("LogicallyAirGappedBackupVaultArn", Combinators.combine(partitions(), accounts(),
                                        Arbitraries.strings().alpha().numeric().withChars("-_").ofMinLength(2)
                                                .ofMaxLength(50))
                                .as((partition, account, name) -> "arn:" + partition + ":backup:eu-west-1:" + account
                                        + ":backup-vault:" + name)),
                        validStrings("IdempotencyToken", Arbitraries.of(UNICODE).map(odd -> "token-" + UNIQUE + odd)),
                        validNumbers("StartWindowMinutes", Arbitraries.longs().between(60, MAX_WINDOW)),
                        validNumbers("CompleteWindowMinutes", Arbitraries.longs().between(1, MAX_WINDOW)),
                        validLifecycles().map(lifecycle -> Map.entry("Lifecycle", lifecycle)),
                        validTags().map(tags -> Map.entry("RecoveryPointTags", tags)),
                        Arbitraries.of("{}", "{\"WindowsVSS\": \"enabled\"}", "{\"WindowsVSS\": \"disabled\"}")
                                .map(options -> Map.entry("BackupOptions", (JsonNode) object(options))),
                        validStrings("Index", Arbitraries.of("ENABLED", "DISABLED")))
                .list().ofMaxSize(8).uniqueElements(Map.Entry::getKey);
        return Combinators.combine(Arbitraries.of(sampleRequests()), Arbitraries.of(GOOD_STRINGS.get("ResourceArn")),
                        additions)
                .as((sample, resource, fields) -> {
                    ObjectNode request = sample.deepCopy();
                    request.remove("IdempotencyToken");
                    request.put("ResourceArn", resource);
                    fields.forEach(field -> request.set(field.getKey(), field.getValue()));
                    return request;
                });
    }

    private static Arbitrary<Map.Entry<String, JsonNode>> validStrings(String field, Arbitrary<String> values) {
        return values.map(value -> Map.entry(field, NODES.textNode(value)));
    }

    private static Arbitrary<Map.Entry<String, JsonNode>> validNumbers(String field, Arbitrary<Long> values) {
        return values.map(value -> Map.entry(field, NODES.numberNode(value)));
    }

    private static Arbitrary<String> partitions() {
        return Arbitraries.of("aws", "aws-cn", "aws-us-gov", "aws-iso-b");
    }

    private static Arbitrary<String> accounts() {
        return Arbitraries.strings().numeric().ofLength(12);
    }

    private static Arbitrary<JsonNode> validLifecycles() {
        Arbitrary<Long> cold = Arbitraries.longs().between(1, MAX_DAYS - 90);
        Arbitrary<ObjectNode> both = cold.flatMap(days -> Arbitraries.longs().between(days + 90, MAX_DAYS)
                .map(delete -> NODES.objectNode().put(COLD, days).put(DELETE, delete)));
        Arbitrary<ObjectNode> one = Combinators.combine(Arbitraries.of(COLD, DELETE),
                        Arbitraries.longs().between(1, MAX_DAYS))
                .as((field, days) -> NODES.objectNode().put(field, days));
        return Combinators.combine(Arbitraries.oneOf(both, one, Arbitraries.just(NODES.objectNode())),
                        Arbitraries.of(true, false).injectNull(0.5))
                .as((lifecycle, archive) -> {
                    ObjectNode copy = lifecycle.deepCopy();
                    if (archive != null) {
                        copy.put(OPT_IN, archive);
                    }
                    return copy;
                });
    }

    private static Arbitrary<JsonNode> validTags() {
        Arbitrary<String> keys = Arbitraries.strings().alpha().numeric().withChars("-_.:/=+@ ")
                .withCharRange('\u00C0', '\u024F').withCharRange('\u3040', '\u30FF')
                .ofMinLength(1).ofMaxLength(128)
                .filter(key -> !key.regionMatches(true, 0, "aws:", 0, 4));
        Arbitrary<String> values = Arbitraries.strings().alpha().numeric().withChars("-_.:/=+@ ")
                .withCharRange('\u0000', '\u001F').withCharRange('\u00C0', '\u024F').ofMaxLength(256);
        return Arbitraries.entries(keys, values).list().ofMaxSize(50).uniqueElements(Map.Entry::getKey)
                .map(entries -> {
                    ObjectNode tags = NODES.objectNode();
                    entries.forEach(entry -> tags.put(entry.getKey(), entry.getValue()));
                    return tags;
                });
    }

    /** One, two or three valid requests, each delivered as a plain request, an EventBridge event or an SQS record. */
    static Arbitrary<ValidDelivery> validDeliveries() {
        return envs().flatMap(env -> Combinators.combine(Arbitraries.of("plain", "EventBridge", "SQS"),
                        validRequests().list().ofMinSize(1).ofMaxSize(3), Arbitraries.of(true, false), renders())
                .as((shape, requests, bodiesAsEvents, render) -> {
                    List<ObjectNode> complete = requests.stream().map(request -> complete(request, env)).toList();
                    return switch (shape) {
                        case "plain" -> new ValidDelivery("plain request", env, render.write(complete.get(0)), 1);
                        case "EventBridge" -> new ValidDelivery("EventBridge event", env,
                                render.write(eventBridgeEvent(complete.get(0))), 1);
                        default -> {
                            ObjectNode event = sampleEvent("sqs-batch.json");
                            ObjectNode template = (ObjectNode) event.get("Records").get(0);
                            ArrayNode records = event.putArray("Records");
                            for (ObjectNode request : complete) {
                                JsonNode body = bodiesAsEvents ? eventBridgeEvent(request) : request;
                                records.add(template.deepCopy().put("messageId", "message-" + UNIQUE)
                                        .put("body", render.write(body)));
                            }
                            yield new ValidDelivery("SQS batch" + (bodiesAsEvents ? " of EventBridge events" : ""),
                                    env, render.write(event), complete.size());
                        }
                    };
                }));
    }

    private static ObjectNode complete(ObjectNode request, Env env) {
        ObjectNode copy = request.deepCopy();
        if (env == Env.NO_DEFAULTS) {
            putIfAbsent(copy, "BackupVaultName", LocalAws.VAULT);
            putIfAbsent(copy, "IamRoleArn", LocalAws.ROLE_ARN);
        }
        return copy;
    }

    private static ObjectNode eventBridgeEvent(ObjectNode detail) {
        ObjectNode event = sampleEvent("eventbridge-event.json");
        event.put("id", "event-" + UNIQUE);
        event.set("detail", detail);
        return event;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Helpers

    private static Expectation apply(List<Mutation> mutations, ObjectNode request, Env env) {
        Expectation expected = Expectation.accepted();
        for (Mutation mutation : mutations) {
            expected = expected.and(mutation.change().apply(request, env));
        }
        return expected;
    }

    private static String labels(List<Mutation> mutations) {
        return mutations.isEmpty() ? "unchanged"
                : mutations.stream().map(Mutation::toString).collect(Collectors.joining(", "));
    }

    private static List<String> kinds(List<Mutation> mutations) {
        return mutations.stream().map(Mutation::kind).toList();
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
        JsonNode node = request.get(field);
        if (node instanceof ObjectNode object) {
            return object;
        }
        return request.putObject(field);
    }

    private static JsonNode validValue(String key) {
        return switch (key) {
            case "BackupVaultName" -> NODES.textNode(LocalAws.VAULT);
            case "IamRoleArn" -> NODES.textNode(LocalAws.ROLE_ARN);
            case "ResourceArn" -> NODES.textNode(LocalAws.DEFAULT_RESOURCE_ARN);
            case "LogicallyAirGappedBackupVaultArn" -> NODES.textNode(GOOD_STRINGS.get(key).get(0));
            case "IdempotencyToken" -> NODES.textNode("token-" + UNIQUE);
            case "StartWindowMinutes", "CompleteWindowMinutes" -> NODES.numberNode(120);
            case "Lifecycle", "RecoveryPointTags", "BackupOptions" -> NODES.objectNode();
            case "Index" -> NODES.textNode("ENABLED");
            case COLD -> NODES.numberNode(30);
            case DELETE -> NODES.numberNode(365);
            default -> NODES.booleanNode(true);
        };
    }

    private static void putIfAbsent(ObjectNode request, String field, String value) {
        if (!request.has(field)) {
            request.put(field, value);
        }
    }

    private static void putRaw(ObjectNode object, String field, String json) {
        if (json != null) {
            object.set(field, raw(json));
        }
    }

    /** A JSON value written exactly as given, so that numbers keep their spelling (1e2, -0, 10^40). */
    static JsonNode raw(String json) {
        return NODES.rawValueNode(new RawValue(json));
    }

    private static BigInteger inRange(String literal, long min, long max) {
        if (!JSON_INTEGER.matcher(literal).matches() || literal.length() > 30) {
            return null;
        }
        BigInteger value = new BigInteger(literal);
        return value.compareTo(BigInteger.valueOf(min)) >= 0 && value.compareTo(BigInteger.valueOf(max)) <= 0
                ? value : null;
    }

    static String prefix(String key) {
        return key.substring(0, Math.min(key.length(), PATH_PREFIX));
    }

    static boolean hasUnpairedSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                } else {
                    return true;
                }
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isLenientlyAnObject(String text) {
        try {
            return JSON.readTree(text) instanceof ObjectNode || STRICT_JSON.readTree(text) instanceof ObjectNode;
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    static ObjectNode object(String json) {
        try {
            return (ObjectNode) JSON.readTree(json);
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
        Matcher matcher = KEY_INITIAL.matcher(text);
        StringBuilder escaped = new StringBuilder();
        while (matcher.find()) {
            String initial = String.format("\\\\u%04X", (int) matcher.group(1).charAt(0));
            matcher.appendReplacement(escaped, "\"" + initial + Matcher.quoteReplacement(matcher.group(2)));
        }
        matcher.appendTail(escaped);
        return escaped.toString();
    }

    @SafeVarargs
    private static <T> List<T> concat(List<? extends T>... lists) {
        return Stream.of(lists).<T>flatMap(List::stream).toList();
    }

    static String abbreviate(String text) {
        String visible = text.length() <= 300 ? text
                : text.substring(0, 200) + "...(" + text.length() + " chars)..." + text.substring(text.length() - 60);
        return visible.chars().mapToObj(c -> c < 0x20 || (c >= 0xD800 && c <= 0xDFFF) || c == 0x7F
                        ? String.format("\\u%04X", c) : String.valueOf((char) c))
                .collect(Collectors.joining());
    }
}
