package com.example.backupjob.pacing;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.backupjob.config.Configuration;
import com.example.backupjob.runtime.FunctionClasspath;
import com.example.backupjob.runtime.LocalEventSourceMapping;
import com.example.backupjob.runtime.LocalLambda;
import com.example.backupjob.runtime.SamFunction;
import com.example.backupjob.runtime.SamTemplate;
import com.example.backupjob.runtime.SamTemplate.SqsEventSource;
import com.example.backupjob.support.BackupStandIn;
import com.example.backupjob.support.DynaliteServer;
import com.example.backupjob.support.ElasticMqServer;
import com.example.backupjob.support.ElasticMqServer.RequestQueues;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * Bursts of queued requests drained as Lambda drains the request queue: the function's JVMs under the real runtime
 * interface client, fed by a local event source mapping from ElasticMQ, against a Backup stand-in that throttles
 * above its quota, as the service does, and dynalite.
 */
class QueueBurstTest {

    private static final String FUNCTION = "StartBackupJobFunction";
    private static final double QUOTA = 20;
    private static final int REQUESTS = 60;
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SamTemplate TEMPLATE = SamTemplate.read(Path.of("template.yaml"));
    private static final SqsEventSource EVENT_SOURCE = TEMPLATE.sqsEventSource(FUNCTION, "Requests");
    private static final AtomicInteger RUNS = new AtomicInteger();

    private static DynaliteServer dynamoDb;
    private static ElasticMqServer sqs;

    @BeforeAll
    static void startServers() {
        dynamoDb = DynaliteServer.start();
        sqs = ElasticMqServer.start();
    }

    @AfterAll
    static void stopServers() {
        if (sqs != null) {
            sqs.close();
        }
        if (dynamoDb != null) {
            dynamoDb.close();
        }
    }

    static List<Integer> environments() {
        return List.of(1, EVENT_SOURCE.maximumConcurrency());
    }

    @ParameterizedTest(name = "{0} environment(s)")
    @MethodSource("environments")
    void burstStartsEveryJobOnceWithinTheQuotaAndNothingReachesTheDeadLetterQueue(int environments)
            throws InterruptedException {
        // given: a burst three times the quota's second, and the function configured with the quota
        try (BackupStandIn backup = BackupStandIn.start(Duration.ofMillis(20), QUOTA);
                Fleet fleet = Fleet.start(backup, environments, function -> function,
                        EVENT_SOURCE.visibilityTimeout())) {
            long started = System.nanoTime();

            // when
            fleet.send(REQUESTS);
            boolean drained = fleet.mapping().awaitDrained(DRAIN_TIMEOUT);

            // then
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertThat(drained).as("the queue drained").isTrue();
            assertThat(backup.jobsStarted()).isEqualTo(REQUESTS);
            assertThat(backup.duplicateJobs()).isZero();
            assertThat(fleet.mapping().recordsFailed()).isZero();
            assertThat(sqs.messageCount(fleet.queues().deadLetterUrl())).isZero();
            // At most half a second's worth at once, then the quota's rate: the calls cannot have come faster.
            assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis((long) ((REQUESTS - QUOTA / 2 - 1) / QUOTA * 1000)));
            assertThat(backup.throttledCalls()).as("calls the quota throttled").isLessThanOrEqualTo(REQUESTS / 20);
        }
    }

    @Test
    void throttlingThatOutlastsTheDeadlineFailsRecordsForRetryAndLosesNone() throws InterruptedException {
        // given: AWS Backup throttles every call for longer than an invocation may take
        try (BackupStandIn backup = BackupStandIn.start(Duration.ZERO, 0);
                Fleet fleet = Fleet.start(backup, 1, function -> withTimeout(function, Duration.ofSeconds(6)),
                        Duration.ofSeconds(8))) {

            // when: the storm outlasts the first delivery, then ends
            fleet.send(10);
            awaitFirstDeliveryFailures(fleet.mapping(), 10);
            backup.throttleAbove(QUOTA);
            boolean drained = fleet.mapping().awaitDrained(DRAIN_TIMEOUT);

            // then
            assertThat(drained).as("the queue drained").isTrue();
            assertThat(fleet.mapping().failedInvocations()).isZero();
            assertThat(fleet.failedRecordLogLines()).hasSizeGreaterThanOrEqualTo(10).allSatisfy(line ->
                    assertThat(line.get("message").asText()).startsWith("Backup request failed; a retry can help"));
            assertThat(backup.jobsStarted()).isEqualTo(10);
            assertThat(sqs.messageCount(fleet.queues().deadLetterUrl())).isZero();
        }
    }

    private static SamFunction withTimeout(SamFunction function, Duration timeout) {
        return new SamFunction(function.logicalId(), function.handler(), function.runtime(), timeout,
                function.memorySize(), function.environment());
    }

    private static void awaitFirstDeliveryFailures(LocalEventSourceMapping mapping, int count)
            throws InterruptedException {
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        while (mapping.firstDeliveryFailures() < count) {
            assertThat(System.nanoTime()).as("%d first-delivery failures", count).isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    /** The request queue drained by function environments, each a JVM under the runtime interface client. */
    private record Fleet(RequestQueues queues, List<LocalLambda> lambdas, LocalEventSourceMapping mapping)
            implements AutoCloseable {

        static Fleet start(BackupStandIn backup, int environments, UnaryOperator<SamFunction> adapted,
                Duration visibilityTimeout) {
            int run = RUNS.incrementAndGet();
            String table = "idempotency-burst-" + run;
            dynamoDb.createTable(table);
            Map<String, String> variables = new HashMap<>(SamTemplate.environmentFile(Path.of("env.json"), FUNCTION));
            variables.put(Configuration.IDEMPOTENCY_TABLE, table);
            variables.put(Configuration.START_BACKUP_JOB_RATE, String.valueOf(QUOTA));
            SamFunction function = adapted.apply(TEMPLATE.function(FUNCTION, Map.of(), variables));
            List<LocalLambda> lambdas = new ArrayList<>();
            for (int i = 0; i < environments; i++) {
                lambdas.add(LocalLambda.start(function, FunctionClasspath.fromBuild(Path.of("")), Map.of(
                                "AWS_ENDPOINT_URL_BACKUP", backup.endpoint().toString(),
                                "AWS_ENDPOINT_URL_DYNAMODB", dynamoDb.endpoint().toString()),
                        Path.of("target", "lambda", "QueueBurstTest-" + run + "-" + i + ".log")));
            }
            RequestQueues queues = sqs.createRequestQueues("requests-" + run, visibilityTimeout,
                    EVENT_SOURCE.maxReceiveCount());
            return new Fleet(queues, lambdas,
                    LocalEventSourceMapping.start(sqs, queues, lambdas, EVENT_SOURCE.batchSize()));
        }

        /** Queues this many plain requests, each for a resource of its own. */
        void send(int requests) {
            List<SendMessageBatchRequestEntry> entries = IntStream.range(0, requests)
                    .mapToObj(i -> SendMessageBatchRequestEntry.builder().id("r" + i)
                            .messageBody("{\"ResourceArn\": \"arn:aws:dynamodb:eu-west-1:123456789012:table/burst-"
                                    + i + "\"}")
                            .build())
                    .toList();
            for (int from = 0; from < entries.size(); from += 10) {
                List<SendMessageBatchRequestEntry> batch = entries.subList(from, Math.min(from + 10, entries.size()));
                sqs.client().sendMessageBatch(send -> send.queueUrl(queues.url()).entries(batch));
            }
        }

        /** The function's log lines for records that failed. */
        List<JsonNode> failedRecordLogLines() {
            return lambdas.stream().flatMap(lambda -> lambda.newOutput().stream())
                    .filter(line -> line.startsWith("{"))
                    .map(Fleet::parse)
                    .filter(line -> line.path("level").asText().equals("ERROR"))
                    .toList();
        }

        @Override
        public void close() throws InterruptedException {
            mapping.close();
            lambdas.forEach(LocalLambda::close);
        }

        private static JsonNode parse(String line) {
            try {
                return JSON.readTree(line);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
