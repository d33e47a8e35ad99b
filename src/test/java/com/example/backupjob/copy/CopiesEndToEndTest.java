package com.example.backupjob.copy;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.backupjob.backup.JobMarkers;
import com.example.backupjob.config.Configuration;
import com.example.backupjob.tooling.runtime.InvocationResult;
import com.example.backupjob.tooling.runtime.LocalEventSourceMapping;
import com.example.backupjob.tooling.runtime.LocalFunctions;
import com.example.backupjob.tooling.runtime.LocalLambda;
import com.example.backupjob.tooling.runtime.SamFunction;
import com.example.backupjob.tooling.support.BackupStandIn;
import com.example.backupjob.tooling.support.DynaliteServer;
import com.example.backupjob.tooling.support.ElasticMqServer;
import com.example.backupjob.tooling.support.ElasticMqServer.RequestQueues;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Copies end to end on the stand-ins: StartBackupJobFunction starts a job and marks it, the AWS Backup stand-in
 * completes it and emits its "Backup Job State Change" event, which the test puts on the copy queue (ElasticMQ) as
 * BackupJobCompletedRule does; CopyBackupsFunction, a JVM under the real runtime interface client fed by a local event
 * source mapping, starts the copies in the stand-in.
 */
class CopiesEndToEndTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> DESTINATIONS = List.of(
            "arn:aws:backup:eu-central-1:123456789012:backup-vault:disaster-recovery",
            "arn:aws:backup:eu-west-1:210987654321:backup-vault:isolated-copies");
    /** Short, so that a record failed by throttling comes back within the test: the function's timeout and more. */
    private static final Duration COPY_TIMEOUT = Duration.ofSeconds(6);
    private static final Duration VISIBILITY = Duration.ofSeconds(8);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(60);

    private static BackupStandIn backup;
    private static DynaliteServer dynamoDb;
    private static ElasticMqServer sqs;
    private static RequestQueues queues;
    private static LocalLambda startBackupJob;
    private static LocalLambda copyBackups;
    private static LocalEventSourceMapping mapping;
    private static String table;

    private int copiesBefore;
    private int callsBefore;
    private int failuresBefore;

    @BeforeAll
    static void start() {
        backup = BackupStandIn.start(Duration.ZERO);
        dynamoDb = DynaliteServer.start();
        sqs = ElasticMqServer.start();
        SamFunction starter = LocalFunctions.function("StartBackupJobFunction", Map.of());
        table = starter.environment().get(Configuration.IDEMPOTENCY_TABLE);
        dynamoDb.createTable(table);
        startBackupJob = LocalFunctions.start(starter, backup, dynamoDb, "CopiesEndToEndTest-start.log");
        SamFunction copier = LocalFunctions.function("CopyBackupsFunction", Map.of(
                CopyConfiguration.COPY_DESTINATION_VAULT_ARNS, String.join(",", DESTINATIONS),
                CopyConfiguration.START_COPY_JOB_RATE, "50"));
        assertThat(copier.environment().get(CopyConfiguration.IDEMPOTENCY_TABLE)).isEqualTo(table);
        copyBackups = LocalFunctions.start(copier.withTimeout(COPY_TIMEOUT), backup, dynamoDb,
                "CopiesEndToEndTest-copy.log");
        queues = sqs.createRequestQueues("copies", VISIBILITY, 3);
        mapping = LocalEventSourceMapping.start(sqs, queues, List.of(copyBackups), 10);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[] {mapping, copyBackups, startBackupJob, sqs, dynamoDb,
                backup}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    @BeforeEach
    void remember() {
        backup.endJobsIn("COMPLETED", null);
        backup.throttleCopyStarts(0);
        DESTINATIONS.forEach(backup::acceptCopiesInto);
        copiesBefore = backup.copyJobIds().size();
        callsBefore = backup.copyStartCalls();
        failuresBefore = mapping.recordsFailed();
        copyBackups.newOutput();
    }

    @Test
    void aCompletedJobIsCopiedOnceToEveryDestination() throws InterruptedException {
        // given
        String jobId = startJob();
        JsonNode completed = backup.finishJob(jobId);

        // when
        queue(completed);

        // then
        assertThat(mapping.awaitDrained(DRAIN_TIMEOUT)).as("the copy queue drained").isTrue();
        List<JsonNode> copies = newCopies();
        assertThat(copies).extracting(copy -> copy.path("DestinationBackupVaultArn").asText())
                .containsExactlyInAnyOrderElementsOf(DESTINATIONS);
        assertThat(copies).allSatisfy(copy -> {
            assertThat(copy.path("RecoveryPointArn").asText()).isEqualTo(completed.at("/resources/0").asText());
            assertThat(copy.path("SourceBackupVaultName").asText()).isEqualTo("Default");
            assertThat(copy.path("IamRoleArn").asText()).endsWith(":role/service-role/AWSBackupDefaultServiceRole");
            assertThat(copy.at("/Lifecycle/DeleteAfterDays").asLong()).isEqualTo(35);
        });
        assertThat(copies).extracting(copy -> copy.path("IdempotencyToken").asText()).doesNotHaveDuplicates()
                .containsExactlyInAnyOrder(DESTINATIONS.stream()
                        .map(destination -> CopyTokens.copyToken(completed.at("/resources/0").asText(), destination))
                        .toArray(String[]::new));
        assertThat(mapping.recordsFailed() - failuresBefore).isZero();
        assertThat(copyLog()).anySatisfy(line -> assertThat(line.path("message").asText()).isEqualTo("Copy job started"));
    }

    @Test
    void theSameEventAgainAndAgainStartsNoSecondCopy() throws InterruptedException {
        // given
        JsonNode completed = backup.finishJob(startJob());
        queue(completed);
        assertThat(mapping.awaitDrained(DRAIN_TIMEOUT)).isTrue();

        // when: EventBridge delivers it twice more, and AWS Backup repeats it with a new event id
        queue(completed);
        queue(completed);
        ((ObjectNode) completed).put("id", UUID.randomUUID().toString());
        queue(completed);

        // then
        assertThat(mapping.awaitDrained(DRAIN_TIMEOUT)).isTrue();
        assertThat(newCopies()).hasSize(DESTINATIONS.size());
        assertThat(backup.copyStartCalls() - callsBefore).isEqualTo(4 * DESTINATIONS.size());
    }

    @Test
    void aThrottledStartFailsTheRecordWhichSqsDeliversAgainAndNothingIsLost() throws InterruptedException {
        // given: AWS Backup throttles every StartCopyJob for longer than an invocation may take
        backup.throttleCopyStarts(Integer.MAX_VALUE);
        JsonNode completed = backup.finishJob(startJob());

        // when: the throttling outlasts the first delivery, then ends
        queue(completed);
        await(() -> mapping.recordsFailed() > failuresBefore);
        backup.throttleCopyStarts(0);

        // then
        assertThat(mapping.awaitDrained(DRAIN_TIMEOUT)).isTrue();
        assertThat(newCopies()).hasSize(DESTINATIONS.size());
        assertThat(sqs.messageCount(queues.deadLetterUrl())).isZero();
        assertThat(copyLog()).anySatisfy(line -> {
            assertThat(line.path("level").asText()).isEqualTo("ERROR");
            assertThat(line.path("errorType").asText()).isEqualTo("ThrottlingException");
            assertThat(line.path("errorSource").asText()).isEqualTo("AWS Backup");
        });
    }

    @Test
    void aDestinationThatRefusesTheCopyDoesNotStopTheOthersAndIsCopiedOnceItAccepts() throws InterruptedException {
        // given: the first destination refuses
        backup.refuseCopiesInto(DESTINATIONS.get(0));
        JsonNode completed = backup.finishJob(startJob());

        // when
        queue(completed);
        await(() -> mapping.recordsFailed() > failuresBefore);

        // then: the other destination's copy started at the first delivery
        assertThat(newCopies()).extracting(copy -> copy.path("DestinationBackupVaultArn").asText())
                .containsExactly(DESTINATIONS.get(1));
        assertThat(copyLog()).anySatisfy(line -> {
            assertThat(line.path("DestinationBackupVaultArn").asText()).isEqualTo(DESTINATIONS.get(0));
            assertThat(line.path("copyErrorType").asText()).isEqualTo("AccessDeniedException");
        });

        // and when the destination accepts, the redelivery copies to it, and to the first no second time
        backup.acceptCopiesInto(DESTINATIONS.get(0));
        assertThat(mapping.awaitDrained(DRAIN_TIMEOUT)).isTrue();
        assertThat(newCopies()).extracting(copy -> copy.path("DestinationBackupVaultArn").asText())
                .containsExactlyInAnyOrderElementsOf(DESTINATIONS);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"a backup plan's job", "another vault's job", "a job this stack did not start",
            "a job that did not complete"})
    void aJobThatIsNotThisStacksCompletedOnDemandJobIsNotCopied(String which) throws InterruptedException {
        // given
        ObjectNode event = (ObjectNode) backup.finishJob(startJob());
        ObjectNode detail = (ObjectNode) event.path("detail");
        switch (which) {
            case "a backup plan's job" -> detail.putObject("createdBy")
                    .put("backupPlanId", "5f2a9c1e-7b3d-4e8a-9c6f-1a2b3c4d5e6f")
                    .put("backupPlanArn", "arn:aws:backup:eu-west-1:123456789012:backup-plan:5f2a9c1e");
            case "another vault's job" -> detail.put("backupVaultName", "Other");
            case "a job this stack did not start" -> detail.put("backupJobId", UUID.randomUUID().toString());
            default -> detail.put("state", "FAILED");
        }

        // when
        queue(event);

        // then
        assertThat(mapping.awaitDrained(DRAIN_TIMEOUT)).isTrue();
        assertThat(backup.copyStartCalls() - callsBefore).isZero();
        assertThat(mapping.recordsFailed() - failuresBefore).isZero();
        assertThat(copyLog()).anySatisfy(line -> {
            assertThat(line.path("level").asText()).isEqualTo("INFO");
            assertThat(line.path("outcome").asText()).isEqualTo("NOT_COPIED");
            assertThat(line.path("BackupJobId").asText()).isEqualTo(detail.path("backupJobId").asText());
        });
    }

    @Test
    void theStartBackupJobFunctionMarksEveryJobItStartsForAtLeastThirtyDays() {
        // when
        String jobId = startJob();

        // then
        assertThat(dynamoDb.keys(table)).contains(JobMarkers.key(jobId));
    }

    /** Starts a job through StartBackupJobFunction, as any caller does; it returns the job's id. */
    private static String startJob() {
        String request = "{\"ResourceArn\": \"arn:aws:dynamodb:eu-west-1:123456789012:table/orders-"
                + UUID.randomUUID() + "\", \"IdempotencyToken\": \"" + UUID.randomUUID() + "\"}";
        InvocationResult result = startBackupJob.invoke(request);
        assertThat(result).as("the job started: %s", result).isInstanceOf(InvocationResult.Response.class);
        return json(((InvocationResult.Response) result).body()).path("BackupJobId").asText();
    }

    /** Sends the event to the copy queue as BackupJobCompletedRule's target does: the event as the body. */
    private static void queue(JsonNode event) {
        sqs.client().sendMessage(send -> send.queueUrl(queues.url()).messageBody(event.toString()));
    }

    private List<JsonNode> newCopies() {
        List<JsonNode> copies = backup.copyJobRequests();
        return copies.subList(copiesBefore, copies.size());
    }

    private static List<JsonNode> copyLog() {
        return copyBackups.newOutput().stream().filter(line -> line.startsWith("{")).map(CopiesEndToEndTest::json)
                .toList();
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("the condition within %s", DRAIN_TIMEOUT).isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
