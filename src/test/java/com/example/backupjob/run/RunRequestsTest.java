package com.example.backupjob.run;

import static com.example.backupjob.tooling.support.LocalAws.invoke;
import static com.example.backupjob.tooling.support.LocalAws.serviceError;
import static com.example.backupjob.tooling.support.LocalRuns.sqsEvent;
import static com.example.backupjob.tooling.support.LocalRuns.sqsRecord;
import static org.assertj.core.api.Assertions.assertThat;

import com.example.backupjob.config.Configuration;
import com.example.backupjob.tooling.support.LocalAws;
import com.example.backupjob.tooling.support.LocalRuns;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The StartBackupJob side of a fleet run: queued requests that carry their run's SelectionKey and RunDeadline, as
 * the selection sends them, counted in the run's record (written here as the selection writes it), against WireMock
 * as AWS Backup and dynalite.
 */
class RunRequestsTest {

    private static final String RUN = "2026-12-01-nightly";
    private static final String ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/invoices";
    private static final String BODY = "{\"ResourceArn\": \"" + ARN + "\"}";
    private static final Instant FUTURE = Instant.now().plus(Duration.ofHours(12));
    private static final Instant PAST = Instant.now().minus(Duration.ofMinutes(1));

    @RegisterExtension
    final LocalAws aws = new LocalAws();

    private LocalRuns runs;

    @BeforeEach
    void queuedRun() {
        runs = new LocalRuns(aws.dynamoDb().client(), aws.idempotencyTable());
    }

    @Test
    void staleRequestStartsNoJobLeavesTheQueueAndIsCountedOnceAsExpired() {
        // given a run whose deadline has passed, and its request delivered twice (SQS delivers at least once)
        runs.create(RUN, "QUEUED", PAST, Map.of("matched", 1L, "queued", 1L));
        var handler = aws.handler();
        String event = sqsEvent(List.of(sqsRecord("m-1", BODY, RUN, PAST, 1)));

        // when
        JsonNode first = invoke(handler, event).json();
        JsonNode second = invoke(handler, event).json();

        // then
        assertThat(first.path("batchItemFailures")).isEmpty();
        assertThat(second.path("batchItemFailures")).isEmpty();
        assertThat(aws.backupCalls()).isEmpty();
        assertThat(runs.counters(RUN)).containsEntry("requestsExpired", 1L).doesNotContainKey("started");
        assertThat(runs.incompleteResources(RUN)).containsExactly(ARN);
        assertThat(aws.logLines()).filteredOn(line -> line.path("outcome").asText().equals("EXPIRED"))
                .hasSize(2).allSatisfy(line -> {
                    assertThat(line.path("level").asText()).isEqualTo("INFO");
                    assertThat(line.path("SelectionKey").asText()).isEqualTo(RUN);
                    assertThat(line.path("ResourceArn").asText()).isEqualTo(ARN);
                    assertThat(line.path("RunDeadline").asText()).isEqualTo(PAST.toString().replaceAll("\\.\\d+",
                            ""));
                });
    }

    @Test
    void sampleRequestsOfARunPastItsDeadlineAreDroppedAndCounted() {
        // given the run of events/sqs-run-requests.json, whose deadline, 2026-12-01T14:00:00Z, has passed
        runs.create(RUN, "QUEUED", Instant.parse("2026-12-01T14:00:00Z"), Map.of("matched", 2L, "queued", 2L));

        // when
        JsonNode response = invoke(aws.handler(), LocalAws.event("sqs-run-requests.json")).json();

        // then
        assertThat(response.path("batchItemFailures")).isEmpty();
        assertThat(aws.backupCalls()).isEmpty();
        assertThat(runs.counters(RUN)).containsEntry("requestsExpired", 2L);
        assertThat(runs.incompleteResources(RUN)).containsExactlyInAnyOrder(ARN,
                "arn:aws:rds:eu-west-1:123456789012:db:customers");
    }

    @Test
    void startedJobIsCountedOnceHoweverOftenItsRequestIsDeliveredAndRecordedForTheTracker() {
        // given
        runs.create(RUN, "QUEUED", FUTURE, Map.of("matched", 1L, "queued", 1L));
        var handler = aws.handler();
        String event = sqsEvent(List.of(sqsRecord("m-1", BODY, RUN, FUTURE, 1)));

        // when: delivered twice, the second answered from the idempotency store
        JsonNode first = invoke(handler, event).json();
        JsonNode second = invoke(handler, event).json();

        // then
        assertThat(first.path("batchItemFailures")).isEmpty();
        assertThat(second.path("batchItemFailures")).isEmpty();
        assertThat(aws.backupCalls()).hasSize(1);
        assertThat(runs.counters(RUN)).containsEntry("started", 1L);
        assertThat(runs.jobItems()).hasSize(1);
        Map<String, AttributeValue> job = aws.dynamoDb().client().getItem(get -> get.tableName(aws.idempotencyTable())
                .key(Map.of("id", AttributeValue.fromS(runs.jobItems().getFirst())))).item();
        assertThat(job.get("run").s()).isEqualTo(RUN);
        assertThat(job.get("resource").s()).isEqualTo(ARN);
        // The job's mark for copies (JobMarkers) came first and keeps its own expiry, at least 30 days.
        assertThat(Long.parseLong(job.get("expiration").n()))
                .isGreaterThanOrEqualTo(Instant.now().plus(Duration.ofDays(29)).getEpochSecond());
        assertThat(aws.logLines()).filteredOn(line -> line.has("BackupJobId"))
                .extracting(line -> line.path("outcome").asText() + " " + line.path("SelectionKey").asText())
                .containsExactly("STARTED " + RUN, "DUPLICATE " + RUN);
    }

    @Test
    void requestFailingOnItsLastDeliveryIsCountedAsFailedToStartAndStillFailsItsRecord() {
        // given a request AWS Backup refuses, on each of the queue's three deliveries
        runs.create(RUN, "QUEUED", FUTURE, Map.of("matched", 1L, "queued", 1L));
        aws.answerBackupWith(serviceError(400, "InvalidParameterValueException", "Unsupported resource"));
        var handler = aws.handler(Map.of(Configuration.REQUEST_MAX_RECEIVE_COUNT, "3"));

        // when
        List<JsonNode> responses = IntStream.rangeClosed(1, 3).mapToObj(delivery -> invoke(handler,
                sqsEvent(List.of(sqsRecord("m-1", BODY, RUN, FUTURE, delivery)))).json()).toList();

        // then: each delivery fails its record, so that the last takes it to the dead-letter queue; only the last
        // counts it
        assertThat(responses).allSatisfy(response -> assertThat(response.path("batchItemFailures")
                .findValuesAsText("itemIdentifier")).containsExactly("m-1"));
        assertThat(runs.counters(RUN)).containsEntry("failedToStart", 1L).doesNotContainKey("started");
        assertThat(runs.incompleteResources(RUN)).containsExactly(ARN);
        assertThat(aws.logLines()).filteredOn(line -> line.path("outcome").asText().equals("FAILED_TO_START"))
                .singleElement().satisfies(line -> assertThat(line.path("SelectionKey").asText()).isEqualTo(RUN));
    }

    @Test
    void requestWithoutRunAttributesStartsAsBeforeAndWritesNoRunItem() {
        // when
        JsonNode response = invoke(aws.handler(), LocalAws.sqsEvent(List.of(BODY))).json();

        // then
        assertThat(response.path("batchItemFailures")).isEmpty();
        assertThat(aws.backupCalls()).hasSize(1);
        assertThat(aws.dynamoDb().keys(aws.idempotencyTable())).noneMatch(id -> id.startsWith("run#"));
        assertThat(runs.jobItems()).as("jobs tied to a run").isEmpty();
        assertThat(aws.logLines()).filteredOn(line -> line.has("BackupJobId"))
                .allSatisfy(line -> assertThat(line.has("SelectionKey")).isFalse());
    }

    @Test
    void runRecordThatCannotBeUpdatedFailsTheRecordAndTheRetryCountsItsJobOnceWithoutASecondJob() {
        // given a run record DynamoDB refuses to add to (started is not a number), as if the table failed
        runs.create(RUN, "QUEUED", FUTURE, Map.of("matched", 1L, "queued", 1L));
        runs.setAttribute(RUN, "started", AttributeValue.fromS("not a number"));
        var handler = aws.handler();
        String event = sqsEvent(List.of(sqsRecord("m-1", BODY, RUN, FUTURE, 1)));

        // when
        JsonNode failed = invoke(handler, event).json();
        runs.setAttribute(RUN, "started", AttributeValue.fromN("0"));
        JsonNode retried = invoke(handler, event).json();

        // then
        assertThat(failed.path("batchItemFailures").findValuesAsText("itemIdentifier")).containsExactly("m-1");
        assertThat(aws.logLines()).filteredOn(line -> line.path("level").asText().equals("ERROR"))
                .singleElement().satisfies(line -> {
                    assertThat(line.path("errorType").asText()).endsWith("IdempotencyStoreException");
                    assertThat(line.path("errorSource").asText()).isEqualTo("Run record");
                    assertThat(line.path("retryable").asBoolean()).isTrue();
                });
        assertThat(retried.path("batchItemFailures")).isEmpty();
        assertThat(aws.backupCalls()).hasSize(1);
        assertThat(runs.counters(RUN)).containsEntry("started", 1L);
        assertThat(runs.jobItems()).hasSize(1);
    }

    @Test
    void malformedRunAttributesFailTheRecordWithoutQuotingThem() {
        // given
        ObjectNode record = sqsRecord("m-1", BODY, RUN, FUTURE, 1);
        ((ObjectNode) record.at("/messageAttributes/RunDeadline")).put("stringValue", "tomorrow");

        // when
        JsonNode response = invoke(aws.handler(), sqsEvent(List.of(record))).json();

        // then
        assertThat(response.path("batchItemFailures").findValuesAsText("itemIdentifier")).containsExactly("m-1");
        assertThat(aws.backupCalls()).isEmpty();
        assertThat(aws.logLines()).filteredOn(line -> line.path("level").asText().equals("WARN"))
                .singleElement().satisfies(line -> assertThat(line.path("message").asText())
                        .contains("messageAttributes.RunDeadline: must be a Number of epoch seconds")
                        .doesNotContain("tomorrow"));
    }

    @Test
    void requestOfARunWithoutRecordStartsItsJobUncounted() {
        // when
        JsonNode response = invoke(aws.handler(), sqsEvent(List.of(sqsRecord("m-1", BODY, RUN, FUTURE, 1)))).json();

        // then
        assertThat(response.path("batchItemFailures")).isEmpty();
        assertThat(aws.backupCalls()).hasSize(1);
        assertThat(runs.run(RUN)).isEmpty();
        assertThat(runs.jobItems()).isEmpty();
        assertThat(aws.logLines()).anySatisfy(line -> assertThat(line.path("message").asText())
                .startsWith("Run record not found"));
    }

    @Test
    void recordListsTheFirstHundredIncompleteResourcesAndCountsTheRest() {
        // given
        runs.create(RUN, "QUEUED", PAST, Map.of("matched", 105L, "queued", 105L));
        var handler = aws.handler();

        // when: 105 stale requests, 10 to a batch
        for (int from = 0; from < 105; from += 10) {
            List<ObjectNode> records = IntStream.range(from, Math.min(from + 10, 105))
                    .mapToObj(i -> sqsRecord("m-" + i, "{\"ResourceArn\": \"" + ARN + "-" + i + "\"}", RUN, PAST, 1))
                    .toList();
            assertThat(invoke(handler, sqsEvent(records)).json().path("batchItemFailures")).isEmpty();
        }

        // then
        assertThat(runs.counters(RUN)).containsEntry("requestsExpired", 105L).containsEntry("incompleteMore", 5L);
        assertThat(runs.incompleteResources(RUN)).hasSize(RunRecords.MAX_INCOMPLETE_RESOURCES);
    }

    @Test
    void dryRunDropsAStaleRequestAndWritesNothing() {
        // given
        runs.create(RUN, "QUEUED", PAST, Map.of("matched", 1L, "queued", 1L));

        // when
        JsonNode response = invoke(aws.handler(Map.of(Configuration.DRY_RUN, "true")),
                sqsEvent(List.of(sqsRecord("m-1", BODY, RUN, PAST, 1)))).json();

        // then
        assertThat(response.path("batchItemFailures")).isEmpty();
        assertThat(runs.counters(RUN)).doesNotContainKey("requestsExpired");
        assertThat(aws.backupCalls()).isEmpty();
    }
}
