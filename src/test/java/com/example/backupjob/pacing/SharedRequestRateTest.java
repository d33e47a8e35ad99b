package com.example.backupjob.pacing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.example.backupjob.config.AwsClients;
import com.example.backupjob.deadline.InvocationDeadline;
import com.example.backupjob.error.ErrorSource;
import com.example.backupjob.error.IdempotencyStoreException;
import com.example.backupjob.error.ThrottlingException;
import com.example.backupjob.tooling.support.DynaliteServer;
import com.example.backupjob.tooling.support.LambdaTestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The shared request rate on a real DynamoDB-compatible table (dynalite), with environments as separate clients. */
class SharedRequestRateTest {

    private static final AtomicInteger TABLES = new AtomicInteger();

    private static DynaliteServer dynamoDb;

    @BeforeAll
    static void startDynalite() {
        dynamoDb = DynaliteServer.start();
    }

    @AfterAll
    static void stopDynalite() {
        dynamoDb.close();
    }

    @Test
    void environmentsTogetherStartNoFasterThanTheSharedRate() {
        // given: three environments of ten threads each, sharing 20 calls per second
        String table = newTable();
        double rate = 20;
        int environments = 3;
        int callsEach = 10;
        ExecutorService threads = Executors.newFixedThreadPool(environments * callsEach);
        long began = System.nanoTime();

        // when
        List<CompletableFuture<Long>> turns = new ArrayList<>();
        for (int environment = 0; environment < environments; environment++) {
            SharedRequestRate requestRate = requestRate(table, rate, Duration.ofSeconds(30));
            IntStream.range(0, callsEach).forEach(call -> turns.add(CompletableFuture.supplyAsync(() -> {
                requestRate.awaitTurn();
                return System.nanoTime();
            }, threads)));
        }
        long lastTurn = turns.stream().mapToLong(CompletableFuture::join).max().orElseThrow();
        threads.shutdown();

        // then: half a second's worth at once, then one every 50 ms; the turns cannot have come faster
        Duration took = Duration.ofNanos(lastTurn - began);
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis((environments * callsEach - 11) * 50));
        assertThat(took).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void noCallFreeBeforeTheDeadlineIsAThrottlingExceptionWithoutWaiting() {
        // given: one call every 10 s, the first taken, and 5 s left in the invocation
        String table = newTable();
        requestRate(table, 0.1, Duration.ofSeconds(30)).awaitTurn();
        SharedRequestRate nearItsDeadline = requestRate(table, 0.1, Duration.ofSeconds(5));
        long began = System.nanoTime();

        // when, then
        assertThatThrownBy(nearItsDeadline::awaitTurn)
                .isInstanceOfSatisfying(ThrottlingException.class, e -> {
                    assertThat(e.isRetryable()).isTrue();
                    assertThat(e.source()).isEqualTo(ErrorSource.REQUEST_RATE);
                })
                .hasMessage("Shared request rate: no StartBackupJob call is free before the invocation's deadline "
                        + "at 0.1 calls per second, shared by all environments");
        assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void tableThatCannotBeUsedIsAnIdempotencyStoreExceptionFromTheSharedRate() {
        // given a table that does not exist
        SharedRequestRate requestRate = requestRate("no-such-table", 1, Duration.ofSeconds(30));

        // when, then: the contract's name for the table, and a message that says the rate could not use it
        assertThatThrownBy(requestRate::awaitTurn)
                .isInstanceOfSatisfying(IdempotencyStoreException.class, e -> {
                    assertThat(e.isRetryable()).isTrue();
                    assertThat(e.source()).isEqualTo(ErrorSource.REQUEST_RATE);
                })
                .hasMessageStartingWith("Shared request rate: the idempotency table could not be used: ");
    }

    @Test
    void aCallAfterAnIdleSpellStartsAtOnce() throws InterruptedException {
        // given: one call a second, the last one more than a second ago
        String table = newTable();
        SharedRequestRate requestRate = requestRate(table, 1, Duration.ofSeconds(30));
        requestRate.awaitTurn();
        Thread.sleep(1100);
        long began = System.nanoTime();

        // when
        requestRate.awaitTurn();

        // then
        assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofMillis(900));
    }

    private static SharedRequestRate requestRate(String table, double rate, Duration timeLeft) {
        InvocationDeadline deadline = new InvocationDeadline(AwsClients.CALL_TIMEOUT);
        deadline.startInvocation(LambdaTestContext.create(timeLeft));
        DynamoDbClient client = DynamoDbClient.builder().endpointOverride(dynamoDb.endpoint()).build();
        return new SharedRequestRate(client, table, rate, deadline);
    }

    private static String newTable() {
        String table = "rate-" + TABLES.incrementAndGet();
        dynamoDb.createTable(table);
        return table;
    }
}
