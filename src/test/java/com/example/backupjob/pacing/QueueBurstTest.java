package com.example.backupjob.pacing;

import static com.example.backupjob.tooling.runtime.QueueFleet.EVENT_SOURCE;
import static org.assertj.core.api.Assertions.assertThat;

import com.example.backupjob.tooling.runtime.FunctionClasspath;
import com.example.backupjob.tooling.runtime.LocalEventSourceMapping;
import com.example.backupjob.tooling.runtime.QueueFleet;
import com.example.backupjob.tooling.runtime.SamFunction;
import com.example.backupjob.tooling.support.BackupStandIn;
import com.example.backupjob.tooling.support.DynaliteServer;
import com.example.backupjob.tooling.support.ElasticMqServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bursts of queued requests drained as Lambda drains the request queue: the function's JVMs under the real runtime
 * interface client, fed by a local event source mapping from ElasticMQ, against a Backup stand-in that throttles
 * above its quota, as the service does, and dynalite.
 */
class QueueBurstTest {

    private static final double QUOTA = 20;
    private static final int REQUESTS = 60;
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(90);
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
                QueueFleet fleet = fleet(backup, environments, function -> function,
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
            assertThat(fleet.deadLettered()).isZero();
            // At most half a second's worth at once, then the quota's rate: the calls cannot have come faster.
            assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis((long) ((REQUESTS - QUOTA / 2 - 1) / QUOTA * 1000)));
            assertThat(backup.throttledCalls()).as("calls the quota throttled").isLessThanOrEqualTo(REQUESTS / 20);
        }
    }

    @Test
    void throttlingThatOutlastsTheDeadlineFailsRecordsForRetryAndLosesNone() throws InterruptedException {
        // given: AWS Backup throttles every call for longer than an invocation may take
        try (BackupStandIn backup = BackupStandIn.start(Duration.ZERO, 0);
                QueueFleet fleet = fleet(backup, 1, function -> function.withTimeout(Duration.ofSeconds(6)),
                        Duration.ofSeconds(8))) {

            // when: the storm outlasts the first delivery, then ends
            fleet.send(10);
            awaitFirstDeliveryFailures(fleet.mapping(), 10);
            backup.throttleAbove(QUOTA);
            boolean drained = fleet.mapping().awaitDrained(DRAIN_TIMEOUT);

            // then
            assertThat(drained).as("the queue drained").isTrue();
            assertThat(fleet.mapping().failedInvocations()).isZero();
            assertThat(fleet.errorLogLines()).hasSizeGreaterThanOrEqualTo(10).allSatisfy(line ->
                    assertThat(line.get("message").asText()).startsWith("Backup request failed; a retry can help"));
            assertThat(backup.jobsStarted()).isEqualTo(10);
            assertThat(fleet.deadLettered()).isZero();
        }
    }

    private static QueueFleet fleet(BackupStandIn backup, int environments, UnaryOperator<SamFunction> adapted,
            Duration visibilityTimeout) {
        String name = "QueueBurstTest-" + RUNS.incrementAndGet();
        dynamoDb.createTable(name);
        return QueueFleet.start(new QueueFleet.Settings(name, environments, visibilityTimeout, QUOTA, adapted,
                FunctionClasspath.fromBuild(Path.of(""))), backup.endpoint(), dynamoDb.endpoint(), sqs);
    }

    private static void awaitFirstDeliveryFailures(LocalEventSourceMapping mapping, int count)
            throws InterruptedException {
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        while (mapping.firstDeliveryFailures() < count) {
            assertThat(System.nanoTime()).as("%d first-delivery failures", count).isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }
}
