package com.example.backupjob.selection;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.backupjob.error.IdempotencyStoreException;
import com.example.backupjob.error.InvalidRequestException;
import com.example.backupjob.error.ServiceUnavailableException;
import com.example.backupjob.handler.SelectBackupResourcesHandler;
import com.example.backupjob.tooling.support.LambdaTestContext;
import com.example.backupjob.tooling.support.LocalAws;
import com.example.backupjob.tooling.support.LocalSelection;
import com.example.backupjob.tooling.support.SimulatedFaults;
import com.example.backupjob.tooling.support.TaggingStandIn.Resource;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * A tag selection as a run (contract, section 8): its record, the attributes that tie each request to it, and how a
 * run that one invocation cannot finish, or that is interrupted anywhere, goes on where it stopped, queuing every
 * resource and counting each once.
 */
class SelectionRunTest {

    private static final String KEY = "nightly-2026-12-01";
    private static final String ACCOUNT = ":eu-west-1:123456789012:";
    private static final Map<String, String> TAGS = Map.of("backup", "nightly-7f3a");
    private static final String SCRATCH = "arn:aws:dynamodb" + ACCOUNT + "table/scratch";
    private static final String SELECTION = """
            {"Selection": {"Tags": {"backup": ["nightly-7f3a"]}, "NotResources": ["%s"]},
             "StartWindowMinutes": 60, "IdempotencyToken": "%s"}
            """.formatted(SCRATCH, KEY);
    /** A GetResources page takes this long in the tests that run short of time. */
    private static final Duration SLOW_PAGE = Duration.ofMillis(1500);

    @RegisterExtension
    final LocalAws aws = new LocalAws();
    @RegisterExtension
    final LocalSelection local = new LocalSelection();

    @Test
    void recordsTheRunWithItsCountsAndDeadlineAndListsItAmongTheOpenRuns() {
        // given: 250 to back up, one left out, one of a type AWS Backup cannot back up
        List<Resource> resources = new ArrayList<>(tables(250));
        resources.add(new Resource(SCRATCH, TAGS));
        resources.add(new Resource("arn:aws:lambda" + ACCOUNT + "function:resize", TAGS));
        local.tagging().hold(resources);
        Instant before = Instant.now();

        // when
        JsonNode response = LocalAws.invoke(local.handler(), SELECTION).json();

        // then
        Instant after = Instant.now();
        assertThat(response).isEqualTo(LocalAws.parse("""
                {"SelectionKey": "%s", "Matched": 252, "Queued": 250,
                 "Skipped": {"UnsupportedType": 1, "OptedOut": 0, "NotResources": 1}, "Complete": true}
                """.formatted(KEY)));
        Map<String, AttributeValue> run = local.runRecord(KEY);
        assertThat(run.get("status").s()).isEqualTo("QUEUED");
        assertThat(Map.of("matched", number(run, "matched"), "queued", number(run, "queued"),
                "skippedUnsupportedType", number(run, "skippedUnsupportedType"),
                "skippedOptedOut", number(run, "skippedOptedOut"),
                "skippedNotResources", number(run, "skippedNotResources")))
                .isEqualTo(Map.of("matched", 252L, "queued", 250L, "skippedUnsupportedType", 1L,
                        "skippedOptedOut", 0L, "skippedNotResources", 1L));
        long deadline = number(run, "deadline");
        assertThat(deadline).isBetween(before.plus(Duration.ofMinutes(720)).getEpochSecond(),
                after.plus(Duration.ofMinutes(720)).getEpochSecond());
        assertThat(number(run, "expiration")).isEqualTo(deadline + Duration.ofDays(14).toSeconds());
        assertThat(run).doesNotContainKey("position");
        assertThat(LocalAws.parse(run.get("selection").s()).at("/Selection/NotResources/0").asText())
                .isEqualTo(SCRATCH);
        assertThat(local.openRuns()).containsExactly(KEY);
    }

    @Test
    void eachQueuedRequestCarriesItsRunsKeyAndDeadlineAsMessageAttributes() {
        // given
        local.tagging().hold(tables(12));

        // when
        LocalAws.invoke(local.handler(), SELECTION).json();

        // then: the body stays the plain request
        String deadline = local.runRecord(KEY).get("deadline").n();
        List<Message> messages = local.drainQueue();
        assertThat(messages).hasSize(12).allSatisfy(message -> {
            assertThat(message.messageAttributes().get("SelectionKey").dataType()).isEqualTo("String");
            assertThat(message.messageAttributes().get("SelectionKey").stringValue()).isEqualTo(KEY);
            assertThat(message.messageAttributes().get("RunDeadline").dataType()).isEqualTo("Number");
            assertThat(message.messageAttributes().get("RunDeadline").stringValue()).isEqualTo(deadline);
            assertThat(LocalAws.parse(message.body()).has("ResourceArn")).isTrue();
        });
    }

    @Test
    void aSecondFiringWithTheSameKeyAfterTheRunIsQueuedQueuesNothing() {
        // given
        local.tagging().hold(tables(12));
        JsonNode first = LocalAws.invoke(local.handler(), SELECTION).json();
        local.drainQueue();
        int pagesAsked = local.tagging().requests().size();

        // when
        JsonNode second = LocalAws.invoke(local.handler(), SELECTION).json();

        // then
        assertThat(second).isEqualTo(first);
        assertThat(local.drainQueue()).isEmpty();
        assertThat(local.tagging().requests()).hasSize(pagesAsked);
    }

    @Test
    void anInvocationShortOfTimeHandsTheRunOnAndItsContinuationQueuesTheRestOnce() {
        // given: time for a page or two before the margin the function keeps
        local.tagging().hold(tables(250));
        local.tagging().answerAfter(SLOW_PAGE);

        // when
        JsonNode first = LocalAws.invoke(local.handler(), SELECTION, shortOfTime()).json();
        List<Message> continuations = local.continuations();
        Map<String, AttributeValue> handedOn = local.runRecord(KEY);
        JsonNode last = continueRun(continuations);

        // then
        assertThat(first.get("Complete").asBoolean()).isFalse();
        assertThat(first.get("Queued").asLong()).isBetween(100L, 200L);
        assertThat(continuations).singleElement().satisfies(message ->
                assertThat(LocalAws.parse(message.body())).isEqualTo(LocalAws.parse("{\"ContinueRun\": \"" + KEY + "\"}")));
        assertThat(handedOn.get("status").s()).isEqualTo("SELECTING");
        assertThat(handedOn.get("position").s()).isEqualTo("page-" + first.get("Queued").asLong());
        assertThat(last.get("Complete").asBoolean()).isTrue();
        assertThat(last.get("Queued").asLong()).isEqualTo(250);
        assertQueuedOnceEach(250, 250);
        assertThat(number(local.runRecord(KEY), "matched")).isEqualTo(250);
    }

    @ParameterizedTest(name = "after {0} saves")
    @ValueSource(ints = {0, 1, 9, 10, 24})
    void aRetryAfterAFailedSaveResumesFromTheLastSavedBatchAndCountsEachResourceOnce(int succeedingSaves) {
        // given: the run's record becomes unreachable after a number of batches, each queued before its save
        local.tagging().hold(tables(250));
        SimulatedFaults.failRunSavesAfter(KEY, succeedingSaves);
        LambdaTestContext invocation = LambdaTestContext.create();

        // when: the invocation fails; Lambda retries it with the same event and request id
        LocalAws.Outcome failed = LocalAws.invoke(local.handler(), SELECTION, invocation);
        SimulatedFaults.stopFailingRunSaves();
        JsonNode retried = LocalAws.invoke(local.handler(), SELECTION,
                new LambdaTestContext(invocation.awsRequestId(), System.currentTimeMillis() + 30_000)).json();

        // then: the batch queued before the failed save is queued again (the same bodies, one job each), no other
        assertThat(failed.error()).isExactlyInstanceOf(IdempotencyStoreException.class)
                .hasMessageStartingWith("Run record: the run's record could not be saved");
        assertThat(retried.get("Complete").asBoolean()).isTrue();
        assertThat(retried.get("Matched").asLong()).isEqualTo(250);
        assertThat(retried.get("Queued").asLong()).isEqualTo(250);
        assertQueuedOnceEach(250, 260);
    }

    @Test
    void aRetryAfterGetResourcesFailedOnALaterPageResumesAtThatPage() {
        // given: the third page fails on every attempt of the SDK
        local.tagging().hold(tables(250));
        AtomicInteger pages = new AtomicInteger();
        local.tagging().beforeEachAnswer(() -> {
            if (pages.incrementAndGet() == 3) {
                local.tagging().failNext(3, 500, "InternalServiceException");
            }
        });

        // when
        LocalAws.Outcome failed = LocalAws.invoke(local.handler(), SELECTION);
        JsonNode retried = LocalAws.invoke(local.handler(), SELECTION).json();

        // then
        assertThat(failed.error()).isExactlyInstanceOf(ServiceUnavailableException.class);
        assertThat(local.tagging().requests()).extracting(request -> request.path("PaginationToken").asText())
                .containsExactly("", "page-100", "page-200", "page-200", "page-200", "page-200");
        assertThat(retried.get("Queued").asLong()).isEqualTo(250);
        assertQueuedOnceEach(250, 250);
    }

    @Test
    void anExpiredTokenMakesTheRunWalkTheListingAgainPassingOverWhatItHandled() {
        // given: a run handed on, whose saved token expires before its continuation runs
        local.tagging().hold(tables(250));
        local.tagging().answerAfter(SLOW_PAGE);
        JsonNode first = LocalAws.invoke(local.handler(), SELECTION, shortOfTime()).json();
        long queuedFirst = first.get("Queued").asLong();
        local.tagging().answerAfter(Duration.ZERO);
        local.tagging().expireTokens();

        // when
        JsonNode last = continueRun(local.continuations());

        // then
        assertThat(last.get("Complete").asBoolean()).isTrue();
        assertThat(last.get("Matched").asLong()).isEqualTo(250);
        assertQueuedOnceEach(250, 250);
        assertThat(local.tagging().requests()).extracting(request -> request.path("PaginationToken").asText())
                .endsWith("page-" + queuedFirst, "", "page-100~g1", "page-200~g1");
        assertThat(aws.logLines()).anySatisfy(line -> assertThat(line.path("message").asText())
                .startsWith("The run's saved PaginationToken expired"));
    }

    @Test
    void aContinuationThatCannotBeSentFailsTheInvocationAndItsRetryResumes() {
        // given: the continuation queue cannot be reached
        local.tagging().hold(tables(250));
        local.tagging().answerAfter(SLOW_PAGE);
        String missingQueue = local.environment(Map.of()).get(SelectionConfiguration.CONTINUATION_QUEUE_URL) + "-gone";
        LambdaTestContext invocation = shortOfTime();

        // when: the invocation fails; Lambda retries it with the same event and request id
        LocalAws.Outcome failed = LocalAws.invoke(
                local.handler(Map.of(SelectionConfiguration.CONTINUATION_QUEUE_URL, missingQueue)), SELECTION,
                invocation);
        local.tagging().answerAfter(Duration.ZERO);
        JsonNode retried = LocalAws.invoke(local.handler(), SELECTION,
                new LambdaTestContext(invocation.awsRequestId(), System.currentTimeMillis() + 30_000)).json();

        // then
        assertThat(failed.error()).isExactlyInstanceOf(ServiceUnavailableException.class)
                .hasMessageStartingWith("Amazon SQS: could not hand the run on to the continuation queue");
        assertThat(aws.logLines()).filteredOn(line -> line.has("errorType")).singleElement()
                .satisfies(line -> assertThat(line.path("errorSource").asText()).isEqualTo("Amazon SQS"));
        assertThat(retried.get("Complete").asBoolean()).isTrue();
        assertQueuedOnceEach(250, 250);
    }

    @Test
    void twoDeliveriesOfOneContinuationAtOnceCountEachResourceOnce() throws Exception {
        // given
        local.tagging().hold(tables(250));
        local.tagging().answerAfter(SLOW_PAGE);
        LocalAws.invoke(local.handler(), SELECTION, shortOfTime()).json();
        List<Message> continuation = local.continuations();
        local.tagging().answerAfter(Duration.ofMillis(200));

        // when: SQS delivers the continuation twice, to two environments at once
        var first = CompletableFuture.supplyAsync(() -> continueRun(continuation));
        var second = CompletableFuture.supplyAsync(() -> continueRun(continuation));
        CompletableFuture.allOf(first, second).join();

        // then: one carried the run to its end; the other stopped at its first save, a batch queued twice at most
        assertThat(List.of(first.get(), second.get())).anySatisfy(result ->
                assertThat(result.get("Complete").asBoolean()).isTrue());
        Map<String, AttributeValue> run = local.runRecord(KEY);
        assertThat(run.get("status").s()).isEqualTo("QUEUED");
        assertThat(number(run, "matched")).isEqualTo(250);
        assertThat(number(run, "queued")).isEqualTo(250);
        List<String> arns = local.queuedRequests().stream().map(request -> request.get("ResourceArn").asText()).toList();
        assertThat(arns).hasSizeBetween(250, 260).containsAll(tables(250).stream().map(Resource::arn).toList());
    }

    @Test
    void aRunPastItsDeadlineQueuesNoMore() {
        // given: a run handed on, whose deadline passes before its continuation runs
        local.tagging().hold(tables(250));
        local.tagging().answerAfter(SLOW_PAGE);
        JsonNode first = LocalAws.invoke(local.handler(), SELECTION, shortOfTime()).json();
        local.drainQueue();
        local.setRunAttribute(KEY, "deadline", AttributeValue.fromN(String.valueOf(Instant.now().getEpochSecond() - 1)));

        // when
        JsonNode last = continueRun(local.continuations());

        // then: its requests would start no job
        assertThat(last.get("Complete").asBoolean()).isFalse();
        assertThat(last.get("Queued")).isEqualTo(first.get("Queued"));
        assertThat(local.drainQueue()).isEmpty();
        assertThat(local.continuations()).isEmpty();
    }

    @Test
    void aDifferentSelectionUnderAKeyAlreadyUsedIsRejected() {
        // given
        local.tagging().hold(tables(3));
        LocalAws.invoke(local.handler(), SELECTION).json();
        int pagesAsked = local.tagging().requests().size();

        // when
        LocalAws.Outcome outcome = LocalAws.invoke(local.handler(), SELECTION.replace("nightly-7f3a", "weekly-1c9d"));

        // then
        assertThat(outcome.error()).isExactlyInstanceOf(InvalidRequestException.class).hasMessage("IdempotencyToken: "
                + "was already used for a different selection: a run's key is bound to its selection");
        assertThat(local.tagging().requests()).hasSize(pagesAsked);
    }

    @Test
    void aContinuationOfNoRunIsRejected() {
        // when
        LocalAws.Outcome outcome = LocalAws.invoke(local.handler(), "{\"ContinueRun\": \"no-such-run\"}");

        // then
        assertThat(outcome.error()).isExactlyInstanceOf(InvalidRequestException.class)
                .hasMessage("ContinueRun: no run has this SelectionKey (its record expires 14 days after its deadline)");
        assertThat(local.tagging().requests()).isEmpty();
    }

    @Test
    void resourcesOfATypeOptedOutInTheRegionAreSkippedAndCountedNotQueued() {
        // given: DynamoDB opted out in the Region; RDS and S3 opted in
        local.backup().optOut("DynamoDB", "Aurora");
        String cluster = "arn:aws:rds" + ACCOUNT + "cluster:ledger";
        List<Resource> resources = new ArrayList<>(tables(3));
        resources.add(new Resource("arn:aws:rds" + ACCOUNT + "db:customers", TAGS));
        resources.add(new Resource("arn:aws:s3:::invoices", TAGS));
        resources.add(new Resource(cluster, TAGS));
        local.tagging().hold(resources);

        // when
        JsonNode response = LocalAws.invoke(local.handler(), SELECTION).json();

        // then: a cluster may be DocumentDB or Neptune, still opted in, so it is queued
        assertThat(response.get("Skipped")).isEqualTo(LocalAws.parse(
                "{\"UnsupportedType\": 0, \"OptedOut\": 3, \"NotResources\": 0}"));
        assertThat(response.get("Queued").asLong()).isEqualTo(3);
        assertThat(local.queuedRequests()).extracting(request -> request.get("ResourceArn").asText())
                .containsExactlyInAnyOrder("arn:aws:rds" + ACCOUNT + "db:customers", "arn:aws:s3:::invoices", cluster);
        Map<String, AttributeValue> run = local.runRecord(KEY);
        assertThat(number(run, "skippedOptedOut")).isEqualTo(3);
        assertThat(run.get("optedOutTypes").ss()).containsExactlyInAnyOrder("Aurora", "DynamoDB");
        JsonNode summary = aws.logLines().stream()
                .filter(line -> line.path("message").asText().startsWith("Backup requests queued for the selection"))
                .findFirst().orElseThrow();
        assertThat(summary.get("skippedOptedOutTypes").asText()).isEqualTo("{DynamoDB=3}");
    }

    @Test
    void anAuroraDocumentDbOrNeptuneClusterIsSkippedOnlyWhenAllThreeAreOptedOut() {
        // given
        local.backup().optOut("Aurora", "DocumentDB", "Neptune");
        local.tagging().hold(List.of(new Resource("arn:aws:rds" + ACCOUNT + "cluster:ledger", TAGS)));

        // when
        JsonNode response = LocalAws.invoke(local.handler(), SELECTION).json();

        // then
        assertThat(response.at("/Skipped/OptedOut").asLong()).isEqualTo(1);
        assertThat(response.get("Queued").asLong()).isZero();
    }

    @Test
    void theRegionsOptInSettingsAreReadOncePerRun() {
        // given: a run that takes two invocations, the settings changing between them
        local.tagging().hold(tables(250));
        local.tagging().answerAfter(SLOW_PAGE);
        LocalAws.invoke(local.handler(), SELECTION, shortOfTime()).json();
        local.backup().optOut("DynamoDB");

        // when
        JsonNode last = continueRun(local.continuations());

        // then: the run goes on with what it read when it started
        assertThat(local.backup().regionSettingsCalls()).isEqualTo(1);
        assertThat(last.get("Queued").asLong()).isEqualTo(250);
        assertThat(last.at("/Skipped/OptedOut").asLong()).isZero();
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            500 | ServiceUnavailableException | ServiceUnavailableException | 3
            400 | AccessDeniedException       | AccessDeniedException       | 1
            """)
    void unreadableOptInSettingsFailTheRunBeforeAnythingIsQueuedAndItsRetryStartsIt(int status, String code,
            String errorName, int calls) {
        // given
        local.tagging().hold(tables(3));
        local.backup().failRegionSettings(calls, status, code);

        // when
        LocalAws.Outcome failed = LocalAws.invoke(local.handler(), SELECTION);
        int pagesAskedBeforeTheRetry = local.tagging().requests().size();
        JsonNode retried = LocalAws.invoke(local.handler(), SELECTION).json();

        // then: the 5xx was retried by the SDK (3 attempts), the denial was not
        assertThat(failed.error().getClass().getSimpleName()).isEqualTo(errorName);
        assertThat(failed.error()).hasMessageStartingWith("AWS Backup: ");
        assertThat(local.backup().regionSettingsCalls()).isEqualTo(calls + 1);
        assertThat(pagesAskedBeforeTheRetry).isZero();
        assertThat(retried.get("Queued").asLong()).isEqualTo(3);
    }

    /**
     * An invocation with time for one or two slow pages before the margin the function keeps: two pages' worth, so
     * that it hands on after the second page at the latest, and after the first at the earliest unless starting the
     * run took longer than two pages.
     */
    private static LambdaTestContext shortOfTime() {
        return LambdaTestContext.create(SelectionService.HAND_ON_MARGIN.plus(SLOW_PAGE.multipliedBy(2)));
    }

    /** Invokes the function as the continuation queue's event source does, with its one message. */
    private JsonNode continueRun(List<Message> continuations) {
        assertThat(continuations).hasSize(1);
        SelectBackupResourcesHandler handler = local.handler();
        JsonNode results = LocalAws.invoke(handler, LocalAws.sqsEvent(List.of(continuations.getFirst().body()))).json();
        assertThat(results).hasSize(1);
        return results.get(0);
    }

    /** Every resource queued, each body as often as it was queued in all. */
    private void assertQueuedOnceEach(int distinct, int total) {
        List<String> bodies = local.drainQueue().stream().map(Message::body).toList();
        assertThat(bodies).hasSize(total);
        assertThat(bodies.stream().distinct().map(LocalAws::parse).map(body -> body.get("ResourceArn").asText()))
                .hasSize(distinct).containsExactlyInAnyOrderElementsOf(tables(distinct).stream().map(Resource::arn)
                        .toList());
    }

    private static long number(Map<String, AttributeValue> item, String attribute) {
        return Long.parseLong(item.get(attribute).n());
    }

    private static List<Resource> tables(int count) {
        return IntStream.range(0, count)
                .mapToObj(i -> new Resource("arn:aws:dynamodb" + ACCOUNT + "table/table-" + i, TAGS))
                .toList();
    }
}
