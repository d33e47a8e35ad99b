package com.example.backupjob.request;

import static com.example.backupjob.request.Expectation.Verdict.ACCEPTED;
import static com.example.backupjob.request.Expectation.Verdict.INVALID_REQUEST;
import static com.example.backupjob.request.RequestMutations.SECRET;
import static com.example.backupjob.request.RequestMutations.UNIQUE;
import static org.assertj.core.api.Assertions.assertThat;

import com.example.backupjob.config.Configuration;
import com.example.backupjob.handler.StartBackupJobHandler;
import com.example.backupjob.request.Expectation.Verdict;
import com.example.backupjob.request.RequestMutations.Batch;
import com.example.backupjob.request.RequestMutations.Env;
import com.example.backupjob.request.RequestMutations.Input;
import com.example.backupjob.request.RequestMutations.ValidDelivery;
import com.example.backupjob.support.LocalAws;
import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.BeforeProperty;
import net.jqwik.api.lifecycle.BeforeTry;
import net.jqwik.api.statistics.Statistics;

/**
 * Generated bad input, and harmless changes to good input, sent to the real handler with WireMock as AWS Backup and
 * dynalite as DynamoDB: every input either succeeds as the contract allows or fails with one of its three error
 * names and a message naming the field, before any call to AWS Backup, and within a time limit.
 *
 * <p>The seed is fixed, so a failure replays: run the same command again. The generators list boundary values
 * themselves, so jqwik's own edge cases are off. jqwik does not run Jupiter extensions, so
 * the LocalAws set-up runs once per property (one idempotency table each), and the Backup endpoint's request
 * journal is cleared before every try.
 */
@PropertyDefaults(edgeCases = EdgeCasesMode.NONE)
class BadInputPropertiesTest {

    private static final String SEED = "20261125";
    private static final Duration INVOCATION_LIMIT = Duration.ofSeconds(10);
    private static final Pattern NOT_JSON_OR_NOT_OBJECT =
            Pattern.compile("^The .*(not valid JSON|must be a JSON object)");
    private static final Pattern CREATION_DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");

    private static final LocalAws AWS = new LocalAws();
    private static final AtomicLong UNIQUE_VALUES = new AtomicLong();
    private static final ExecutorService INVOKER = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "bad-input-invocation");
        thread.setDaemon(true);
        return thread;
    });

    private final Map<Env, StartBackupJobHandler> handlers = new EnumMap<>(Env.class);

    @BeforeProperty
    void startWithTheSampleDeploymentAndAnEmptyIdempotencyTable() {
        // LocalAws ignores the Jupiter context: a Backup endpoint that starts every job, a new table, no logs.
        AWS.beforeEach(null);
        handlers.put(Env.DEFAULTS, AWS.handler());
        handlers.put(Env.NO_DEFAULTS, AWS.handler(Map.of(Configuration.BACKUP_VAULT_NAME, "",
                Configuration.BACKUP_ROLE_ARN, "", Configuration.BACKUP_DEFAULTS, "")));
    }

    @BeforeTry
    void forgetEarlierBackupCalls() {
        AWS.backup().resetRequests();
    }

    @Provide
    Arbitrary<Input> mutatedRequests() {
        return RequestMutations.mutatedRequests();
    }

    @Provide
    Arbitrary<Input> brokenJson() {
        return RequestMutations.brokenJson();
    }

    @Provide
    Arbitrary<Input> eventBridgeEvents() {
        return RequestMutations.eventBridgeEvents();
    }

    @Provide
    Arbitrary<Batch> sqsBatches() {
        return RequestMutations.sqsBatches();
    }

    @Provide
    Arbitrary<ValidDelivery> validDeliveries() {
        return RequestMutations.validDeliveries();
    }

    @Provide
    Arbitrary<Input> trailingContent() {
        return RequestMutations.trailingContent();
    }

    @Property(tries = 600, seed = SEED)
    void mutatedRequestIsRejectedByNameBeforeAnyCallOrStartsAtMostOneJob(@ForAll("mutatedRequests") Input input) {
        // when
        Result result = invoke(input.env(), input.text());

        // then
        collectStatistics(input, result);
        assertOutcomeOfOneRequest(input, result);
    }

    @Property(tries = 300, seed = SEED)
    void inputThatIsNoJsonObjectIsAnInvalidRequest(@ForAll("brokenJson") Input input) {
        // when
        Result result = invoke(input.env(), input.text());

        // then
        collectStatistics(input, result);
        assertOutcomeOfOneRequest(input, result);
    }

    @Property(tries = 250, seed = SEED)
    void eventBridgeEventWithMutatedDetailOrEnvelopeIsRejectedByNameBeforeAnyCall(
            @ForAll("eventBridgeEvents") Input input) {
        // when
        Result result = invoke(input.env(), input.text());

        // then
        collectStatistics(input, result);
        assertOutcomeOfOneRequest(input, result);
    }

    @Property(tries = 200, seed = SEED)
    void sqsBatchListsEveryBadRecordAndStartsNoJobForIt(@ForAll("sqsBatches") Batch batch) {
        // when
        Result result = invoke(batch.env(), batch.text());

        // then
        Statistics.label("records").collect(batch.records().size());
        Statistics.label("outcome").collect(result.summary());
        if (batch.whole() != null) {
            assertOutcome(batch.whole(), result);
            return;
        }
        assertThat(result.error()).as("an SQS batch answers with batchItemFailures, not an error").isNull();
        JsonNode response = LocalAws.parse(result.response());
        assertThat(response.properties()).as("response fields").hasSize(1);
        List<String> failures = StreamSupport.stream(response.path("batchItemFailures").spliterator(), false)
                .map(failure -> failure.path("itemIdentifier").textValue())
                .toList();
        List<String> messageIds = StreamSupport.stream(LocalAws.parse(result.event()).get("Records").spliterator(),
                false).map(record -> record.get("messageId").textValue()).toList();
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

    @Property(tries = 150, seed = SEED)
    void validRequestChangedOnlyInHarmlessWaysStartsExactlyOneJob(
            @ForAll("validDeliveries") ValidDelivery delivery) {
        // when
        Result result = invoke(delivery.env(), delivery.text());

        // then
        Statistics.label("delivery").collect(delivery.label());
        assertThat(result.error()).as("error for a valid %s", delivery.label()).isNull();
        JsonNode response = LocalAws.parse(result.response());
        if (response.has("batchItemFailures")) {
            assertThat(response.get("batchItemFailures")).as("batchItemFailures").isEmpty();
        } else {
            assertJobResponse(response);
        }
        assertThat(result.backupCalls()).as("AWS Backup calls").isEqualTo(delivery.jobs());
        assertThat(AWS.backupCalls().stream().map(call -> call.path("ResourceArn").textValue()))
                .as("resources backed up")
                .containsExactlyInAnyOrderElementsOf(resourceArns(LocalAws.parse(result.event())));
    }

    @Property(tries = 60, seed = SEED)
    void jsonFollowedByMoreTextIsAnInvalidRequest(@ForAll("trailingContent") Input input) {
        // when
        Result result = invoke(input.env(), input.text());

        // then
        collectStatistics(input, result);
        assertOutcomeOfOneRequest(input, result);
    }

    /** One invocation: the event as sent, its response or error, and the calls AWS Backup received meanwhile. */
    private record Result(String event, String response, RuntimeException error, int backupCalls) {
        String summary() {
            return error == null ? "answered" : error.getClass().getSimpleName();
        }
    }

    private Result invoke(Env env, String template) {
        String event = withUniqueValues(template);
        int before = AWS.backup().getAllServeEvents().size();
        Future<LocalAws.Outcome> invocation = INVOKER.submit(() -> LocalAws.invoke(handlers.get(env), event));
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
        return new Result(event, outcome.response(), outcome.error(),
                AWS.backup().getAllServeEvents().size() - before);
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

    private static void collectStatistics(Input input, Result result) {
        input.kinds().forEach(kind -> Statistics.label("mutation").collect(kind));
        Statistics.label("outcome").collect(result.summary());
    }

    private static void assertOutcomeOfOneRequest(Input input, Result result) {
        assertOutcome(input.expected(), result);
        if (result.error() == null) {
            assertJobResponse(LocalAws.parse(result.response()));
            // A request that repeats an earlier idempotency key returns the first job without a call.
            assertThat(result.backupCalls()).as("AWS Backup calls").isLessThanOrEqualTo(1);
        }
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

    /** The ResourceArn of every request an event carries: itself, its detail, or each SQS record's body. */
    private static List<String> resourceArns(JsonNode event) {
        if (event.has("Records")) {
            return StreamSupport.stream(event.get("Records").spliterator(), false)
                    .flatMap(record -> resourceArns(LocalAws.parse(record.get("body").textValue())).stream())
                    .toList();
        }
        JsonNode request = event.has("detail-type") ? event.get("detail") : event;
        return List.of(request.get("ResourceArn").textValue());
    }

    private static String abbreviate(String text) {
        return text == null ? "null" : RequestMutations.abbreviate(text);
    }
}
