package com.example.backupjob.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.backupjob.tooling.runtime.FunctionClasspath;
import com.example.backupjob.tooling.runtime.InvocationResult;
import com.example.backupjob.tooling.runtime.LocalEventSourceMapping;
import com.example.backupjob.tooling.runtime.LocalLambda;
import com.example.backupjob.tooling.runtime.QueueFleet;
import com.example.backupjob.tooling.runtime.SamFunction;
import com.example.backupjob.tooling.runtime.SamTemplate;
import com.example.backupjob.tooling.support.BackupStandIn;
import com.example.backupjob.tooling.support.BackupStandIn.EndState;
import com.example.backupjob.tooling.support.DynaliteServer;
import com.example.backupjob.tooling.support.ElasticMqServer;
import com.example.backupjob.tooling.support.LocalRuns;
import com.example.backupjob.tooling.support.SnsStandIn;
import com.example.backupjob.tooling.support.SnsStandIn.Published;
import com.example.backupjob.tracking.TrackerConfiguration;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * Fleet runs end to end on the stand-ins, the functions as Lambda runs them (their JVMs under the real runtime
 * interface client, configured by template.yaml and env.json): the run's requests queued as the selection queues
 * them, drained through StartBackupJobFunction by a local event source mapping, their jobs ended in the Backup
 * stand-in with mixed states, its "Backup Job State Change" events drained through two environments of the run
 * tracker, and the summary published to SNS on WireMock. The run records are written as the selection writes them.
 */
class FleetRunTest {

    private static final String TOPIC = "arn:aws:sns:eu-west-1:123456789012:backup-alarms";
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(90);
    private static final String NAME = "FleetRunTest";
    /** Short, so that a request AWS Backup refuses reaches its third and last delivery within seconds. */
    private static final Duration VISIBILITY_TIMEOUT = Duration.ofSeconds(3);

    private static DynaliteServer dynamoDb;
    private static ElasticMqServer sqs;
    private static BackupStandIn backup;
    private static SnsStandIn sns;
    private static QueueFleet fleet;
    private static List<LocalLambda> trackers;
    private static ElasticMqServer.RequestQueues trackerQueues;
    private static LocalEventSourceMapping trackerMapping;
    private static LocalRuns runs;

    @BeforeAll
    static void startFunctions() {
        dynamoDb = DynaliteServer.start();
        sqs = ElasticMqServer.start();
        backup = BackupStandIn.start(Duration.ofMillis(5));
        sns = SnsStandIn.start();
        dynamoDb.createTable(NAME);
        runs = new LocalRuns(dynamoDb.client(), NAME);
        fleet = QueueFleet.start(new QueueFleet.Settings(NAME, 1, VISIBILITY_TIMEOUT, 100, function -> function,
                FunctionClasspath.fromBuild(Path.of(""))), backup.endpoint(), dynamoDb.endpoint(), sqs);

        String tracker = "TrackBackupRunsFunction";
        Map<String, String> variables = new HashMap<>(SamTemplate.environmentFile(Path.of("env.json"), tracker));
        variables.put(TrackerConfiguration.IDEMPOTENCY_TABLE, NAME);
        variables.put(TrackerConfiguration.ALARM_TOPIC_ARN, TOPIC);
        SamFunction function = SamTemplate.read(Path.of("template.yaml")).function(tracker, Map.of(), variables);
        SamTemplate.SqsEventSource source = SamTemplate.read(Path.of("template.yaml"))
                .sqsEventSource(tracker, "JobStateChanges");
        trackers = IntStream.range(0, source.maximumConcurrency()).mapToObj(i -> LocalLambda.start(function,
                FunctionClasspath.fromBuild(Path.of("")), Map.of(
                        "AWS_ENDPOINT_URL_DYNAMODB", dynamoDb.endpoint().toString(),
                        "AWS_ENDPOINT_URL_SNS", sns.endpoint().toString()),
                Path.of("target", "lambda", NAME + "-tracker-" + i + ".log"))).toList();
        trackerQueues = sqs.createRequestQueues(NAME + "-events", VISIBILITY_TIMEOUT, source.maxReceiveCount());
        trackerMapping = LocalEventSourceMapping.start(sqs, trackerQueues, trackers, source.batchSize());
    }

    @AfterAll
    static void stopFunctions() throws InterruptedException {
        if (trackerMapping != null) {
            trackerMapping.close();
        }
        if (trackers != null) {
            trackers.forEach(LocalLambda::close);
        }
        if (fleet != null) {
            fleet.close();
        }
        for (AutoCloseable server : new AutoCloseable[] {sns, backup, sqs, dynamoDb}) {
            if (server != null) {
                try {
                    server.close();
                } catch (Exception e) {
                    // Stopping; nothing to keep.
                }
            }
        }
    }

    @Test
    void runWithMixedOutcomesEndsWithACorrectRecordAndOneSummary() throws InterruptedException {
        // given a run of nine resources, queued as the selection queues them; AWS Backup refuses one of them
        String run = "mixed-outcomes";
        Instant deadline = Instant.now().plus(Duration.ofHours(12));
        List<String> resources = IntStream.range(0, 9).mapToObj(i -> arn(run, i)).toList();
        runs.create(run, "SELECTING", deadline, Map.of("matched", 10L, "queued", 9L, "skippedUnsupportedType", 1L));
        backup.refuseJobsOf(resources.get(7), "Resource type is not opted in for backup in this Region");
        queue(run, deadline, resources);
        runs.setStatus(run, "QUEUED");
        Map<String, EndState> ends = Map.of(
                resources.get(3), new EndState("COMPLETED", "\"2 files could not be read and were skipped.\""),
                resources.get(4), new EndState("FAILED", "\"The backup role may not read the table.\""),
                resources.get(5), EndState.of("EXPIRED"),
                resources.get(6), EndState.of("ABORTED"),
                resources.get(8), EndState.of("PARTIAL"));

        // when: the queue drains (the refused request through its three deliveries to the dead-letter queue), the
        // jobs end, and their events drain through the tracker, then all of them once more
        assertThat(fleet.mapping().awaitDrained(DRAIN_TIMEOUT)).as("the request queue drained").isTrue();
        assertThat(runs.counters(run)).as("the record once every request reached an end")
                .containsEntry("started", 8L).containsEntry("failedToStart", 1L);
        List<String> events = backup.endJobs(resource -> ends.getOrDefault(resource, EndState.of("COMPLETED")));
        deliver(events);
        List<Published> published = sns.published();
        deliver(events);

        // then
        assertThat(backup.jobsStarted()).isEqualTo(8);
        assertThat(fleet.deadLettered()).isEqualTo(1);
        assertThat(runs.counters(run))
                .containsAllEntriesOf(Map.of("matched", 10L, "queued", 9L, "skippedUnsupportedType", 1L))
                .containsAllEntriesOf(Map.of("started", 8L, "failedToStart", 1L))
                .containsAllEntriesOf(Map.of("completed", 3L, "completedWithIssues", 1L, "failed", 1L,
                        "jobsExpired", 1L, "aborted", 1L, "partial", 1L))
                .doesNotContainKeys("requestsExpired", "incompleteMore");
        assertThat(runs.incompleteResources(run)).containsExactlyInAnyOrder(resources.get(4), resources.get(5),
                resources.get(6), resources.get(7), resources.get(8));
        assertThat(runs.run(run).get("status").s()).isEqualTo("SUMMARISED");
        assertThat(runs.openRuns()).doesNotContain(run);
        assertThat(published).as("summaries after the first delivery").hasSize(1);
        assertThat(sns.published()).as("summaries after the second").hasSize(1);
        Published summary = published.getFirst();
        assertThat(summary.topicArn()).isEqualTo(TOPIC);
        assertThat(summary.subject()).isEqualTo("Backup run " + run + ": 4 of 9 completed");
        assertThat(summary.message())
                .contains("Selection: 10 matched, 9 queued; skipped: 1 of a type AWS Backup does not support")
                .contains("Requests: 8 started a job, 1 failed to start (in the request dead-letter queue), "
                        + "0 expired before they could start.")
                .contains("Jobs: 3 completed, 1 completed with issues, 1 failed, 1 aborted, 1 expired, 1 partial.")
                .contains("Resources whose request or job did not complete (5):")
                .contains(resources.get(4), resources.get(5), resources.get(6), resources.get(7), resources.get(8))
                .doesNotContain(resources.get(0) + "\n", resources.get(3) + "\n", "not read by the tracker")
                .contains("aws dynamodb get-item --region eu-west-1 --table-name " + NAME);
    }

    @Test
    void requestsPastTheirDeadlineAreDroppedAndCountedAndThePeriodicCheckSendsTheDeadlineSummary()
            throws InterruptedException {
        // given a run whose deadline has passed with two requests still queued, and one job of it still running
        String run = "past-deadline";
        Instant deadline = Instant.now().minus(Duration.ofMinutes(1));
        runs.create(run, "QUEUED", deadline, Map.of("matched", 3L, "queued", 3L));
        runs.startedJob(run, "RUNNING-JOB", arn(run, 0), deadline);
        int jobsBefore = backup.jobsStarted();

        // when
        queue(run, deadline, List.of(arn(run, 1), arn(run, 2)));
        assertThat(fleet.mapping().awaitDrained(DRAIN_TIMEOUT)).as("the request queue drained").isTrue();
        int summariesBefore = sns.published().size();
        InvocationResult check = trackers.getFirst().invoke("{\"CheckOpenRuns\": true}");
        InvocationResult checkAgain = trackers.getFirst().invoke("{\"CheckOpenRuns\": true}");

        // then
        assertThat(backup.jobsStarted()).isEqualTo(jobsBefore);
        assertThat(runs.counters(run)).containsEntry("requestsExpired", 2L).containsEntry("started", 1L);
        assertThat(runs.incompleteResources(run)).containsExactlyInAnyOrder(arn(run, 1), arn(run, 2));
        assertThat(check).isInstanceOf(InvocationResult.Response.class);
        assertThat(checkAgain).isInstanceOf(InvocationResult.Response.class);
        List<Published> summaries = sns.published().subList(summariesBefore, sns.published().size());
        assertThat(summaries).singleElement().satisfies(summary -> {
            assertThat(summary.subject()).isEqualTo("Backup run " + run + ": 0 of 3 completed, deadline passed");
            assertThat(summary.message()).contains("1 of its jobs had not reached a final state")
                    .contains("2 expired before they could start").contains(arn(run, 1), arn(run, 2));
        });
        assertThat(runs.openRuns()).doesNotContain(run);
    }

    /** Queues a request per resource with the run's message attributes, ten to a call, as the selection does. */
    private static void queue(String run, Instant deadline, List<String> resources) {
        List<SendMessageBatchRequestEntry> entries = IntStream.range(0, resources.size())
                .mapToObj(i -> SendMessageBatchRequestEntry.builder().id("r" + i)
                        .messageBody("{\"ResourceArn\": \"" + resources.get(i) + "\", \"IdempotencyToken\": \"" + run
                                + "-" + i + "\"}")
                        .messageAttributes(LocalRuns.messageAttributes(run, deadline))
                        .build())
                .toList();
        for (int from = 0; from < entries.size(); from += 10) {
            List<SendMessageBatchRequestEntry> batch = entries.subList(from, Math.min(from + 10, entries.size()));
            sqs.client().sendMessageBatch(send -> send.queueUrl(fleet.queueUrl()).entries(batch));
        }
    }

    /** Sends the events to the tracker's queue, as the rule does, and waits until the tracker has taken them all. */
    private static void deliver(List<String> events) throws InterruptedException {
        Function<Integer, SendMessageBatchRequestEntry> entry = i -> SendMessageBatchRequestEntry.builder()
                .id("e" + i).messageBody(events.get(i)).build();
        for (int from = 0; from < events.size(); from += 10) {
            List<SendMessageBatchRequestEntry> batch = IntStream.range(from, Math.min(from + 10, events.size()))
                    .mapToObj(entry::apply).toList();
            sqs.client().sendMessageBatch(send -> send.queueUrl(trackerQueues.url()).entries(batch));
        }
        assertThat(trackerMapping.awaitDrained(DRAIN_TIMEOUT)).as("the tracker's queue drained").isTrue();
        assertThat(sqs.messageCount(trackerQueues.deadLetterUrl())).as("events in its dead-letter queue").isZero();
    }

    private static String arn(String run, int resource) {
        return "arn:aws:dynamodb:eu-west-1:123456789012:table/" + run + "-" + resource;
    }
}
