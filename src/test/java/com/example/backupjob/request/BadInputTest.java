package com.example.backupjob.request;

import static com.example.backupjob.request.BadInputs.SECRET;
import static com.example.backupjob.request.BadInputs.UNIQUE;
import static com.example.backupjob.request.Expectation.Verdict.ACCEPTED;
import static com.example.backupjob.request.Expectation.Verdict.INVALID_REQUEST;
import static org.assertj.core.api.Assertions.assertThat;

import com.example.backupjob.config.Configuration;
import com.example.backupjob.handler.StartBackupJobHandler;
import com.example.backupjob.request.BadInputs.Case;
import com.example.backupjob.request.BadInputs.Env;
import com.example.backupjob.request.Expectation.Verdict;
import com.example.backupjob.tooling.support.LocalAws;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Generated bad input, and harmless changes to good input, sent to the real handler with WireMock as AWS Backup and
 * dynalite as DynamoDB: every input either succeeds as the contract allows or fails with one of its three error
 * names and a message naming the field, before any call to AWS Backup, and within a time limit.
 *
 * <p>The inputs come from {@link BadInputs} with a fixed seed, so a failure replays as it happened; the system
 * property {@value #SEED_PROPERTY} chooses another seed. A failure names the seed, the input's number and the input,
 * its tag values masked.
 */
class BadInputTest {

    static final String SEED_PROPERTY = "badinput.seed";
    private static final long SEED = Long.getLong(SEED_PROPERTY, 20261125L);
    private static final Duration INVOCATION_LIMIT = Duration.ofSeconds(10);
    private static final Pattern NOT_JSON_OR_NOT_OBJECT =
            Pattern.compile("^The .*(not valid JSON|must be a JSON object)");
    private static final Pattern CREATION_DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicLong UNIQUE_VALUES = new AtomicLong();
    private static final ExecutorService INVOKER = Executors.newCachedThreadPool(
            Thread.ofPlatform().name("bad-input-invocation").daemon().factory());

    @RegisterExtension
    final LocalAws aws = new LocalAws();

    private final Map<Env, StartBackupJobHandler> handlers = new EnumMap<>(Env.class);

    @BeforeEach
    void startWithTheSampleDeploymentAndAnEmptyIdempotencyTable() {
        handlers.put(Env.DEFAULTS, aws.handler());
        handlers.put(Env.NO_DEFAULTS, aws.handler(Map.of(Configuration.BACKUP_VAULT_NAME, "",
                Configuration.BACKUP_ROLE_ARN, "", Configuration.BACKUP_DEFAULTS, "")));
    }

    @TestFactory
    Stream<DynamicTest> mutatedRequestIsRejectedByNameBeforeAnyCallOrStartsAtMostOneJob() {
        return cases("mutated request", 600, BadInputs::mutatedRequest, BadInputTest::assertOutcomeOfOneRequest);
    }

    @TestFactory
    Stream<DynamicTest> inputThatIsNoJsonObjectIsAnInvalidRequest() {
        return cases("not a JSON object", 300, BadInputs::brokenJson, BadInputTest::assertOutcomeOfOneRequest);
    }

    @TestFactory
    Stream<DynamicTest> eventBridgeEventWithMutatedDetailOrEnvelopeIsRejectedByNameBeforeAnyCall() {
        return cases("EventBridge event", 250, BadInputs::eventBridgeEvent, BadInputTest::assertOutcomeOfOneRequest);
    }

    @TestFactory
    Stream<DynamicTest> sqsBatchListsEveryBadRecordAndStartsNoJobForIt() {
        return cases("SQS batch", 200, BadInputs::sqsBatch, BadInputTest::assertBatchOutcome);
    }

    @TestFactory
    Stream<DynamicTest> validRequestChangedOnlyInHarmlessWaysStartsExactlyOneJob() {
        return cases("valid delivery", 150, BadInputs::validDelivery, this::assertEveryJobStarted);
    }

    @TestFactory
    Stream<DynamicTest> jsonFollowedByMoreTextIsAnInvalidRequest() {
        return cases("trailing text", 60, BadInputs::trailingContent, BadInputTest::assertOutcomeOfOneRequest);
    }

    /** One invocation: the event as sent, its response or error, and the calls AWS Backup received meanwhile. */
    private record Result(String event, String response, RuntimeException error, int backupCalls) {
    }

    /** Inputs of one kind, from a generator seeded with the seed and the kind, each checked as one dynamic test. */
    private Stream<DynamicTest> cases(String kind, int count, Function<BadInputs, Case> generate,
            BiConsumer<Case, Result> check) {
        BadInputs inputs = new BadInputs(SEED ^ kind.hashCode());
        return IntStream.range(0, count).mapToObj(number -> {
            Case input = generate.apply(inputs);
            String name = kind + " #" + number;
            return DynamicTest.dynamicTest(name + ": " + BadInputs.abbreviate(input.label()), () -> {
                try {
                    check.accept(input, invoke(input));
                } catch (AssertionError e) {
                    throw new AssertionError(("Generated input " + name + " of seed " + SEED + " (-D" + SEED_PROPERTY
                            + "=N for another): " + BadInputs.abbreviate(input.label()) + " [" + input.env() + "]\n"
                            + "  input, tag values masked: " + BadInputs.abbreviate(masked(input.text())) + "\n  "
                            + e.getMessage()).replace(SECRET, "<tag value>"), e);
                }
            });
        });
    }

    private Result invoke(Case input) {
        String event = withUniqueValues(input.text());
        aws.backup().resetRequests();
        Future<LocalAws.Outcome> invocation = INVOKER.submit(() -> LocalAws.invoke(handlers.get(input.env()), event));
        LocalAws.Outcome outcome;
        try {
            outcome = invocation.get(INVOCATION_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            invocation.cancel(true);
            throw new AssertionError("No answer within " + INVOCATION_LIMIT + ": the function hangs", e);
        } catch (ExecutionException e) {
            throw new AssertionError("The function threw " + e.getCause() + ", which is no RuntimeException "
                    + "and so no error name of the contract", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted", e);
        }
        return new Result(event, outcome.response(), outcome.error(), aws.backup().getAllServeEvents().size());
    }

    /** Every placeholder gets its own value, so that no two deliveries of a run share an idempotency key. */
    private static String withUniqueValues(String template) {
        Matcher placeholder = Pattern.compile(UNIQUE).matcher(template);
        StringBuilder event = new StringBuilder();
        while (placeholder.find()) {
            placeholder.appendReplacement(event, "u" + UNIQUE_VALUES.incrementAndGet());
        }
        placeholder.appendTail(event);
        return event.toString();
    }

    private static void assertOutcomeOfOneRequest(Case input, Result result) {
        assertOutcome(input.expected(), result);
        if (result.error() == null) {
            assertJobResponse(LocalAws.parse(result.response()));
            // A request that repeats an earlier idempotency key returns the first job without a call.
            assertThat(result.backupCalls()).as("AWS Backup calls").isLessThanOrEqualTo(1);
        }
    }

    private static void assertBatchOutcome(Case batch, Result result) {
        if (batch.expected() != null) {
            assertOutcome(batch.expected(), result);
            return;
        }
        List<String> failures = batchItemFailures(result);
        List<String> messageIds = records(LocalAws.parse(result.event()))
                .map(record -> record.get("messageId").textValue()).toList();
        assertThat(failures).as("batchItemFailures").doesNotHaveDuplicates().isSubsetOf(messageIds);
        for (int i = 0; i < messageIds.size(); i++) {
            Expectation expected = batch.records().get(i);
            if (expected.mustReject()) {
                assertThat(failures).as("record %d must be listed as failed", i).contains(messageIds.get(i));
            } else if (expected.mustAccept()) {
                assertThat(failures).as("record %d must start its job", i).doesNotContain(messageIds.get(i));
            }
        }
        // A record that repeats an earlier idempotency key succeeds without a second call.
        assertThat(result.backupCalls()).as("AWS Backup calls")
                .isLessThanOrEqualTo(messageIds.size() - failures.size());
        if (batch.records().stream().allMatch(Expectation::mustReject)) {
            assertThat(result.backupCalls()).as("AWS Backup calls for a batch of bad records").isZero();
        }
    }

    private void assertEveryJobStarted(Case delivery, Result result) {
        assertThat(result.error()).as("error for a valid input").isNull();
        if (delivery.records() == null) {
            assertJobResponse(LocalAws.parse(result.response()));
        } else {
            assertThat(batchItemFailures(result)).as("batchItemFailures").isEmpty();
        }
        assertThat(result.backupCalls()).as("AWS Backup calls")
                .isEqualTo(delivery.records() == null ? 1 : delivery.records().size());
        assertThat(aws.backupCalls().stream().map(call -> call.path("ResourceArn").textValue()))
                .as("resources backed up")
                .containsExactlyInAnyOrderElementsOf(resourceArns(LocalAws.parse(result.event())));
    }

    private static void assertOutcome(Expectation expected, Result result) {
        if (result.error() == null) {
            assertThat(expected.allowed())
                    .as("the input was accepted (%d AWS Backup calls), but the contract rejects it",
                            result.backupCalls())
                    .contains(ACCEPTED);
            return;
        }
        RuntimeException error = result.error();
        String message = error.getMessage();
        Optional<Verdict> verdict = Verdict.of(error.getClass());
        assertThat(verdict).as("error type %s (message: %s) is one of the contract's three names",
                error.getClass().getName(), abbreviate(message)).isPresent();
        assertThat(expected.allowed()).as("error names allowed; got %s: %s", error.getClass().getSimpleName(),
                abbreviate(message)).contains(verdict.get());
        assertThat(result.backupCalls()).as("AWS Backup calls for a rejected input").isZero();
        assertThat(message).as("error message").isNotBlank();
        if (expected.messagePattern() != null) {
            assertThat(message).as("error message").containsPattern(expected.messagePattern());
        } else if (NOT_JSON_OR_NOT_OBJECT.matcher(message).find()) {
            assertThat(expected.mayBeUnparseable()).as("'%s' for JSON within the parser's limits",
                    abbreviate(message)).isTrue();
            assertThat(verdict.get()).isEqualTo(INVALID_REQUEST);
        } else {
            List<String> missing = new ArrayList<>(expected.namedPaths().stream()
                    .filter(path -> !message.contains(path)).toList());
            assertThat(missing).as("field paths missing from '%s'", abbreviate(message)).isEmpty();
            if (!expected.touchedPaths().isEmpty()) {
                assertThat(expected.touchedPaths()).as("a changed field named in '%s'", abbreviate(message))
                        .anyMatch(message::contains);
            }
        }
        if (expected.carriesSecret()) {
            assertThat(message).as("error message repeating a tag value").doesNotContain(SECRET);
        }
    }

    private static void assertJobResponse(JsonNode response) {
        assertThat(response.path("BackupJobId").textValue()).as("BackupJobId").isNotBlank();
        assertThat(response.path("CreationDate").textValue()).as("CreationDate").matches(CREATION_DATE);
        assertThat(response.path("IsParent").isBoolean()).as("IsParent is a boolean").isTrue();
    }

    /** The message ids of an SQS batch's response; an SQS batch answers with batchItemFailures, not an error. */
    private static List<String> batchItemFailures(Result result) {
        assertThat(result.error()).as("error of an SQS batch").isNull();
        JsonNode response = LocalAws.parse(result.response());
        assertThat(response.properties()).as("response fields").hasSize(1);
        return StreamSupport.stream(response.get("batchItemFailures").spliterator(), false)
                .map(failure -> failure.path("itemIdentifier").textValue())
                .toList();
    }

    /** The ResourceArn of every request an event carries: itself, its detail, or each SQS record's body. */
    private static List<String> resourceArns(JsonNode event) {
        if (event.has("Records")) {
            return records(event).flatMap(record -> resourceArns(LocalAws.parse(record.get("body").textValue()))
                    .stream()).toList();
        }
        JsonNode request = event.has("detail-type") ? event.get("detail") : event;
        return List.of(request.get("ResourceArn").textValue());
    }

    private static Stream<JsonNode> records(JsonNode sqsEvent) {
        return StreamSupport.stream(sqsEvent.get("Records").spliterator(), false);
    }

    /** The input with every RecoveryPointTags value masked, in SQS bodies too; input that is no JSON is cut there. */
    private static String masked(String text) {
        try {
            JsonNode input = JSON.readTree(text);
            if (input != null) {
                mask(input);
                return input.toString();
            }
        } catch (JacksonException e) {
            // Not JSON: fall through to cutting the text.
        }
        int tags = text.indexOf("RecoveryPointTags");
        return tags < 0 ? text : text.substring(0, tags) + "RecoveryPointTags... (the rest is masked)";
    }

    private static void mask(JsonNode node) {
        if (node instanceof ObjectNode object) {
            for (Map.Entry<String, JsonNode> field : List.copyOf(object.properties())) {
                String key = field.getKey();
                JsonNode value = field.getValue();
                if (key.equals("RecoveryPointTags") && value instanceof ObjectNode tags) {
                    tags.properties().forEach(tag -> tag.setValue(tags.textNode("***")));
                } else if (key.equals("body") && value.isTextual()) {
                    object.put(key, masked(value.textValue()));
                } else {
                    mask(value);
                }
            }
        } else {
            node.forEach(BadInputTest::mask);
        }
    }

    private static String abbreviate(String text) {
        return text == null ? "null" : BadInputs.abbreviate(text);
    }
}
