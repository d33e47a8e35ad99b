package com.example.backupjob.tracking;

import com.example.backupjob.request.BackupRequest;
import com.example.backupjob.deadline.InvocationDeadline;
import com.example.backupjob.backup.JobMarkers;
import com.example.backupjob.backup.BackupJob;
import static com.example.backupjob.tooling.support.LocalAws.invoke;
import static com.example.backupjob.tooling.support.LocalTracking.sqsEvent;
import static org.assertj.core.api.Assertions.assertThat;

import com.example.backupjob.handler.TrackBackupRunsHandler;
import com.example.backupjob.tooling.support.LambdaTestContext;
import com.example.backupjob.tooling.support.LocalAws;
import com.example.backupjob.tooling.support.LocalRuns;
import com.example.backupjob.tooling.support.LocalTracking;
import com.example.backupjob.tooling.support.SnsStandIn.Published;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The run tracker: AWS Backup's job state changes counted in the runs' records, and one summary per run to the alarm
 * topic, against dynalite and SNS on WireMock. The runs and their started jobs are written here as the selection and
 * StartBackupJobFunction write them.
 */
class RunTrackerTest {

    private static final String RUN = "2026-12-01-nightly";
    private static final String CHECK = "{\"CheckOpenRuns\": true}";
    private static final Instant FUTURE = Instant.now().plus(Duration.ofHours(12));
    private static final Instant PAST = Instant.now().minus(Duration.ofMinutes(1));

    @RegisterExtension
    final LocalAws aws = new LocalAws();

    @RegisterExtension
    final LocalTracking tracking = new LocalTracking(aws);

    private LocalRuns runs;

    @BeforeEach
    void tables() {
        runs = tracking.runs();
    }

    @Test
    void countsEachFinalStateAndSummarisesTheRunOnceWhenItsLastJobEnds() {
        // given a run of six started jobs, every page queued
        queuedRunWithJobs(FUTURE, 6);
        TrackBackupRunsHandler tracker = tracking.handler();
        List<String> events = List.of(
                event("completed", 0, null), event("completed-with-issues", 1, "\"3 files were skipped.\""),
                event("failed", 2, "\"The role may not read the table.\""), event("aborted", 3, null),
                event("expired", 4, null), event("partial", 5, null));

        // when: five ends, then the last
        JsonNode first = invoke(tracker, sqsEvent(events.subList(0, 5))).json();
        List<Published> afterFive = tracking.sns().published();
        JsonNode last = invoke(tracker, sqsEvent(events.subList(5, 6))).json();

        // then
        assertThat(first.path("batchItemFailures")).isEmpty();
        assertThat(last.path("batchItemFailures")).isEmpty();
        assertThat(afterFive).isEmpty();
        assertThat(runs.counters(RUN)).containsEntry("completed", 1L).containsEntry("completedWithIssues", 1L)
                .containsEntry("failed", 1L).containsEntry("aborted", 1L).containsEntry("jobsExpired", 1L)
                .containsEntry("partial", 1L);
        assertThat(runs.incompleteResources(RUN)).containsExactlyInAnyOrder(arn(2), arn(3), arn(4), arn(5));
        assertThat(runs.run(RUN).get("status").s()).isEqualTo("SUMMARISED");
        assertThat(runs.openRuns()).doesNotContain(RUN);
        Published summary = tracking.sns().published().getFirst();
        assertThat(tracking.sns().published()).hasSize(1);
        assertThat(summary.topicArn()).isEqualTo(LocalTracking.TOPIC_ARN);
        assertThat(summary.subject()).isEqualTo("Backup run " + RUN + ": 2 of 6 completed");
        assertThat(summary.message())
                .contains("2 of 6 queued resources completed, 4 did not complete")
                .contains("Jobs: 1 completed, 1 completed with issues, 1 failed, 1 aborted, 1 expired, 1 partial.")
                .contains(arn(2), arn(3), arn(4), arn(5))
                .doesNotContain(arn(0) + "\n", arn(1) + "\n", "not read by the tracker")
                .contains("aws dynamodb get-item --region eu-west-1 --table-name " + aws.idempotencyTable()
                        + " --key '{\"id\": {\"S\": \"run#" + RUN + "\"}}'");
        assertThat(aws.logLines()).filteredOn(line -> line.has("BackupJobId"))
                .extracting(line -> line.path("outcome").asText())
                .containsExactly("COMPLETED", "COMPLETED_WITH_ISSUES", "FAILED", "ABORTED", "EXPIRED", "PARTIAL");
        assertThat(aws.logLines()).filteredOn(line -> line.path("outcome").asText().equals("SUMMARISED"))
                .singleElement().satisfies(line -> {
                    assertThat(line.path("SelectionKey").asText()).isEqualTo(RUN);
                    assertThat(line.path("reason").asText()).isEqualTo("COMPLETE");
                });
    }

    @Test
    void sampleStateChangesAreCountedInTheirRun() {
        // given the run of the two jobs of events/sqs-backup-job-state-changes.json
        runs.create(RUN, "QUEUED", FUTURE, Map.of("matched", 2L, "queued", 2L));
        runs.startedJob(RUN, "E4F9A8B6-0D1E-4F2A-8B3C-5D6E7F8A9B0C",
                "arn:aws:dynamodb:eu-west-1:123456789012:table/invoices", FUTURE);
        runs.startedJob(RUN, "F5A0B9C7-1E2F-4A3B-9C4D-6E7F8A9B0C1D", "arn:aws:rds:eu-west-1:123456789012:db:customers",
                FUTURE);

        // when
        JsonNode response = invoke(tracking.handler(), LocalAws.event("sqs-backup-job-state-changes.json")).json();

        // then
        assertThat(response.path("batchItemFailures")).isEmpty();
        assertThat(runs.counters(RUN)).containsEntry("completed", 1L).containsEntry("failed", 1L);
        assertThat(runs.incompleteResources(RUN)).containsExactly("arn:aws:rds:eu-west-1:123456789012:db:customers");
        assertThat(tracking.sns().published()).singleElement().satisfies(summary ->
                assertThat(summary.subject()).isEqualTo("Backup run " + RUN + ": 1 of 2 completed"));
    }

    @Test
    void eventDeliveredTwiceCountsOnce() {
        // given
        queuedRunWithJobs(FUTURE, 2);
        TrackBackupRunsHandler tracker = tracking.handler();
        String failed = event("failed", 0, "\"Access denied.\"");

        // when: twice in one batch, and again later
        JsonNode batch = invoke(tracker, sqsEvent(List.of(failed, failed))).json();
        JsonNode later = invoke(tracker, sqsEvent(List.of(failed))).json();

        // then
        assertThat(batch.path("batchItemFailures")).isEmpty();
        assertThat(later.path("batchItemFailures")).isEmpty();
        assertThat(runs.counters(RUN)).containsEntry("failed", 1L);
        assertThat(runs.job(jobId(0)).get("finalState").s()).isEqualTo("FAILED");
        assertThat(tracking.sns().published()).isEmpty();
    }

    @Test
    void eventOfAJobNoRunStartedChangesNothing() {
        // given
        queuedRunWithJobs(FUTURE, 1);
        JsonNode sample = LocalAws.parse(LocalAws.event("backup-job-state-change-failed.json"));

        // when
        JsonNode response = invoke(tracking.handler(), sqsEvent(List.of(sample.toString()))).json();

        // then
        assertThat(response.path("batchItemFailures")).isEmpty();
        assertThat(runs.counters(RUN)).doesNotContainKey("failed");
        assertThat(runs.job(sample.at("/detail/backupJobId").asText())).isEmpty();
    }

    @Test
    void eventOfAJobMarkedForCopiesOnlyChangesNothing() {
        // given a job this stack started outside any run: its item holds the mark for copies, no run
        queuedRunWithJobs(FUTURE, 1);
        JsonNode sample = LocalAws.parse(LocalAws.event("backup-job-state-change-failed.json"));
        String jobId = sample.at("/detail/backupJobId").asText();
        new JobMarkers(aws.dynamoDb().client(), aws.idempotencyTable(), new InvocationDeadline(Duration.ofSeconds(5)))
                .mark(new BackupJob(jobId, null, null, false), new BackupRequest("Default", null,
                        sample.at("/detail/resourceArn").asText(), null, null, null, null, null, null, null, null));

        // when
        JsonNode response = invoke(tracking.handler(), sqsEvent(List.of(sample.toString()))).json();

        // then
        assertThat(response.path("batchItemFailures")).isEmpty();
        assertThat(runs.counters(RUN)).doesNotContainKey("failed");
        assertThat(runs.jobItems()).doesNotContain(JobMarkers.key(jobId));
    }

    @Test
    void runPastItsDeadlineIsSummarisedOnceByThePeriodicCheck() {
        // given a run whose deadline passed while one job was still running and one request still queued
        runs.create(RUN, "QUEUED", PAST, Map.of("matched", 3L, "queued", 3L));
        runs.startedJob(RUN, jobId(0), arn(0), PAST);
        runs.startedJob(RUN, jobId(1), arn(1), PAST);
        invoke(tracking.handler(), sqsEvent(List.of(event("completed", 0, null)))).json();
        assertThat(tracking.sns().published()).as("summaries before the check").isEmpty();

        // when
        JsonNode checked = invoke(tracking.handler(), CHECK).json();
        JsonNode checkedAgain = invoke(tracking.handler(), CHECK).json();

        // then
        assertThat(checked.path("summarised").asInt()).isEqualTo(1);
        assertThat(checkedAgain.path("openRuns").asInt()).isZero();
        assertThat(tracking.sns().published()).singleElement().satisfies(summary -> {
            assertThat(summary.subject()).isEqualTo("Backup run " + RUN + ": 1 of 3 completed, deadline passed");
            assertThat(summary.message()).contains("Why now: its deadline, " + Instant.ofEpochSecond(PAST.getEpochSecond()) + ", passed.")
                    .contains("1 of its jobs had not reached a final state, and 1 of its requests had not reached "
                            + "an end");
        });
        assertThat(runs.openRuns()).isEmpty();
    }

    @Test
    void completeRunWhoseLastEndWasARequestsIsSummarisedByThePeriodicCheck() {
        // given: its job completed, then its other request expired, which no job event follows
        runs.create(RUN, "QUEUED", FUTURE, Map.of("matched", 2L, "queued", 2L));
        runs.startedJob(RUN, jobId(0), arn(0), FUTURE);
        invoke(tracking.handler(), sqsEvent(List.of(event("completed", 0, null)))).json();
        runs.setAttribute(RUN, "requestsExpired", AttributeValue.fromN("1"));
        runs.setAttribute(RUN, "incompleteResources", AttributeValue.fromSs(List.of(arn(1))));

        // when
        invoke(tracking.handler(), CHECK).json();

        // then
        assertThat(tracking.sns().published()).singleElement().satisfies(summary -> assertThat(summary.message())
                .contains("Why now: every queued request reached an end")
                .contains("1 expired before they could start")
                .contains(arn(1)));
    }

    @Test
    void runStillSelectingIsNotSummarisedBeforeItsDeadlineEvenWithEveryJobEnded() {
        // given: the selection has more pages to queue
        runs.create(RUN, "SELECTING", FUTURE, Map.of("matched", 100L, "queued", 1L));
        runs.startedJob(RUN, jobId(0), arn(0), FUTURE);

        // when
        invoke(tracking.handler(), sqsEvent(List.of(event("completed", 0, null)))).json();
        invoke(tracking.handler(), CHECK).json();

        // then
        assertThat(tracking.sns().published()).isEmpty();
        assertThat(runs.openRuns()).containsExactly(RUN);
    }

    @Test
    void concurrentTrackersSendOneSummary() throws Exception {
        // given: a run whose two jobs end at the same moment in two environments, while six more environments run
        // the periodic check
        queuedRunWithJobs(FUTURE, 2);
        List<TrackBackupRunsHandler> trackers = IntStream.range(0, 8).mapToObj(i -> tracking.handler()).toList();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService environments = Executors.newFixedThreadPool(trackers.size());
        List<CompletableFuture<LocalAws.Outcome>> outcomes = new ArrayList<>();

        // when
        for (int i = 0; i < trackers.size(); i++) {
            TrackBackupRunsHandler tracker = trackers.get(i);
            String input = i < 2 ? sqsEvent(List.of(event("completed", i, null))) : CHECK;
            outcomes.add(CompletableFuture.supplyAsync(() -> {
                await(start);
                return invoke(tracker, input, LambdaTestContext.create());
            }, environments));
        }
        start.countDown();
        outcomes.forEach(outcome -> assertThat(outcome.join().error()).isNull());
        invoke(tracking.handler(), CHECK).json();
        environments.shutdown();

        // then
        assertThat(runs.counters(RUN)).containsEntry("completed", 2L);
        assertThat(tracking.sns().published()).hasSize(1);
        assertThat(runs.openRuns()).isEmpty();
    }

    @Test
    void summaryThatCannotBePublishedReleasesItsClaimAndTheEventsRetrySendsIt() {
        // given
        queuedRunWithJobs(FUTURE, 1);
        TrackBackupRunsHandler tracker = tracking.handler();
        String event = sqsEvent(List.of(event("completed", 0, null)));
        tracking.sns().failPublishes();

        // when
        JsonNode failed = invoke(tracker, event).json();
        String statusAfterFailure = runs.run(RUN).get("status").s();
        tracking.sns().acceptPublishes();
        JsonNode retried = invoke(tracker, event).json();

        // then
        assertThat(failed.path("batchItemFailures").findValuesAsText("itemIdentifier")).containsExactly("e-0");
        assertThat(tracking.sns().failedPublishes()).isEqualTo(3);
        assertThat(statusAfterFailure).isEqualTo("QUEUED");
        assertThat(aws.logLines()).filteredOn(line -> line.path("level").asText().equals("ERROR"))
                .singleElement().satisfies(line -> {
                    assertThat(line.path("errorSource").asText()).isEqualTo("Amazon SNS");
                    assertThat(line.path("errorType").asText()).endsWith("ServiceUnavailableException");
                    assertThat(line.path("SelectionKey").asText()).isEqualTo(RUN);
                });
        assertThat(retried.path("batchItemFailures")).isEmpty();
        assertThat(runs.counters(RUN)).containsEntry("completed", 1L);
        assertThat(tracking.sns().published()).hasSize(1);
        assertThat(runs.openRuns()).isEmpty();
    }

    @Test
    void summaryClaimLeftBehindByAnEndedInvocationIsTakenOverByThePeriodicCheck() {
        // given a run claimed 20 minutes ago by an invocation that timed out before it published
        queuedRunWithJobs(FUTURE, 1);
        runs.setAttribute(RUN, "completed", AttributeValue.fromN("1"));
        runs.setAttribute(RUN, "status", AttributeValue.fromS("SUMMARISED"));
        runs.setAttribute(RUN, "statusBeforeSummary", AttributeValue.fromS("QUEUED"));
        runs.setAttribute(RUN, "summaryClaim", AttributeValue.fromS("ended-invocation"));
        runs.setAttribute(RUN, "summaryClaimedAt", AttributeValue.fromN(Long.toString(
                Instant.now().minus(Duration.ofMinutes(20)).getEpochSecond())));

        // when
        invoke(tracking.handler(), CHECK).json();
        invoke(tracking.handler(), CHECK).json();

        // then
        assertThat(tracking.sns().published()).hasSize(1);
        assertThat(runs.run(RUN)).containsKey("summarySentAt");
        assertThat(runs.openRuns()).isEmpty();
    }

    @Test
    void withoutAnAlarmTopicTheSummaryIsLoggedOnly() {
        // given
        queuedRunWithJobs(FUTURE, 1);

        // when
        invoke(tracking.handler(Map.of()), sqsEvent(List.of(event("failed", 0, "\"Denied.\"")))).json();

        // then
        assertThat(tracking.sns().published()).isEmpty();
        assertThat(aws.logLines()).filteredOn(line -> line.path("outcome").asText().equals("SUMMARISED"))
                .singleElement().satisfies(line -> assertThat(line.path("message").asText())
                        .isEqualTo("Run summarised: Backup run " + RUN + ": 0 of 1 completed"));
        assertThat(runs.openRuns()).isEmpty();
    }

    @Test
    void runRecordThatCannotBeUpdatedFailsTheEventAndItsRetryCountsItOnce() {
        // given a run record DynamoDB refuses to add to (failed is not a number), as if the table failed
        queuedRunWithJobs(FUTURE, 2);
        runs.setAttribute(RUN, "failed", AttributeValue.fromS("not a number"));
        TrackBackupRunsHandler tracker = tracking.handler();
        String event = sqsEvent(List.of(event("failed", 0, "\"Denied.\"")));

        // when
        JsonNode failed = invoke(tracker, event).json();
        runs.setAttribute(RUN, "failed", AttributeValue.fromN("0"));
        JsonNode retried = invoke(tracker, event).json();

        // then
        assertThat(failed.path("batchItemFailures").findValuesAsText("itemIdentifier")).containsExactly("e-0");
        assertThat(aws.logLines()).filteredOn(line -> line.path("level").asText().equals("ERROR"))
                .singleElement().satisfies(line -> assertThat(line.path("errorSource").asText())
                        .isEqualTo("Run record"));
        assertThat(retried.path("batchItemFailures")).isEmpty();
        assertThat(runs.counters(RUN)).containsEntry("failed", 1L);
    }

    @Test
    void unknownInputIsRejected() {
        LocalAws.Outcome outcome = invoke(tracking.handler(), "{\"CheckOpenRun\": true}");

        assertThat(outcome.error()).hasMessageContaining("CheckOpenRuns");
    }

    /** A QUEUED run of {@code jobs} requests, each of which started its job. */
    private void queuedRunWithJobs(Instant deadline, int jobs) {
        runs.create(RUN, "QUEUED", deadline, Map.of("matched", (long) jobs, "queued", (long) jobs));
        for (int i = 0; i < jobs; i++) {
            runs.startedJob(RUN, jobId(i), arn(i), deadline);
        }
    }

    /** The sample event of a state, for the run's i-th job, with this status message (null for none). */
    private static String event(String sample, int job, String statusMessage) {
        ObjectNode event = (ObjectNode) LocalAws.parse(LocalAws.event("backup-job-state-change-" + sample + ".json"));
        ObjectNode detail = (ObjectNode) event.path("detail");
        detail.put("backupJobId", jobId(job)).put("resourceArn", arn(job));
        if (statusMessage == null) {
            detail.remove("statusMessage");
        } else {
            detail.put("statusMessage", statusMessage);
        }
        return event.toString();
    }

    private static String jobId(int job) {
        return "JOB-" + job;
    }

    private static String arn(int job) {
        return "arn:aws:dynamodb:eu-west-1:123456789012:table/table-" + job;
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
