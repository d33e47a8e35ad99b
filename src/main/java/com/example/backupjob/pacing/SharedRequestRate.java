package com.example.backupjob.pacing;

import com.example.backupjob.deadline.InvocationDeadline;
import com.example.backupjob.error.ErrorSource;
import com.example.backupjob.error.IdempotencyStoreException;
import com.example.backupjob.error.ServiceUnavailableException;
import com.example.backupjob.error.ThrottlingException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * Keeps the calls of one AWS Backup operation (StartBackupJob, StartCopyJob) by all environments together under one
 * rate: before each call, an environment reserves a start time on one DynamoDB item per operation, {@code
 * rate#<operation>}, that every environment updates, then waits for it.
 *
 * <p>The item holds the next free start of a virtual schedule whose starts are one interval apart (GCRA, the generic
 * cell rate algorithm). A schedule less than 0.75 s behind the clock is still in use: its next starts are free at
 * once until it has caught up, so at most 0.75 s worth of calls go at once, a quarter less than the service's own
 * token bucket holds, which absorbs calls that arrive closer together than they started. A schedule further behind
 * was idle and restarts 0.5 s behind the clock: a lone batch gets half a second's worth at once, and environments
 * that reserve at the same moment find the schedule in use, not idle. Each reservation is one conditional
 * UpdateItem, so the rate holds however many environments run, and an environment alone gets all of it.
 */
public final class SharedRequestRate {

    private static final String START_BACKUP_JOB = "StartBackupJob";
    private static final String NEXT_START = "nextStartMicros";
    private static final long IN_USE_MICROS = 750_000;
    private static final long RESTART_BEHIND_MICROS = 500_000;
    /** What a later start must leave before the deadline: a second for the call, then saving the record, answering. */
    private static final Duration START_MARGIN = Duration.ofMillis(2500);
    /** A round fails only when other environments moved the schedule between its two updates. */
    private static final int ROUNDS = 8;

    private final DynamoDbClient dynamoDb;
    private final String table;
    private final String operation;
    private final String key;
    private final double callsPerSecond;
    private final InvocationDeadline deadline;
    private final long intervalMicros;

    /**
     * @param table the idempotency table, which holds the schedule's item next to the idempotency records
     * @param callsPerSecond the rate all environments share, e.g. the account's StartBackupJob quota
     */
    public SharedRequestRate(DynamoDbClient dynamoDb, String table, double callsPerSecond,
            InvocationDeadline deadline) {
        this(dynamoDb, table, START_BACKUP_JOB, callsPerSecond, deadline);
    }

    /**
     * @param operation the AWS Backup operation paced, e.g. StartCopyJob: its own item, so its own rate
     */
    public SharedRequestRate(DynamoDbClient dynamoDb, String table, String operation, double callsPerSecond,
            InvocationDeadline deadline) {
        this.dynamoDb = dynamoDb;
        this.table = table;
        this.operation = operation;
        this.key = "rate#" + operation;
        this.callsPerSecond = callsPerSecond;
        this.deadline = deadline;
        this.intervalMicros = Math.round(1_000_000 / callsPerSecond);
    }

    /**
     * Returns when this environment may call the operation: at once if a start is free now, else at the next free
     * start, if that leaves time to call before the invocation's deadline.
     *
     * @throws ThrottlingException when no start is free early enough to finish before the invocation's deadline
     * @throws IdempotencyStoreException when the table cannot be used
     */
    public void awaitTurn() {
        if (!takeTurn(true)) {
            throw new ThrottlingException(ErrorSource.REQUEST_RATE, "no " + operation + " call is free before the "
                    + "invocation's deadline at " + callsPerSecond + " calls per second, shared by all environments",
                    null);
        }
    }

    /**
     * Makes an AWS Backup call in a turn of this rate; a call AWS Backup still throttles (other callers share the
     * quota) waits for another turn, as long as one is free before the invocation's deadline.
     *
     * @param what what the call does, for the error when the deadline ends it, e.g. "start the job"
     * @throws ThrottlingException AWS Backup's, when no other turn is free early enough, or this rate's, when not even
     *     the first is
     * @throws ServiceUnavailableException when the deadline ended the call before any throttling
     */
    public <T> T paced(Supplier<T> call, String what) {
        awaitTurn();
        ThrottlingException throttled = null;
        while (true) {
            try {
                return call.get();
            } catch (ThrottlingException e) {
                throttled = e;
            } catch (ApiCallTimeoutException | AbortedException e) {
                // The invocation's deadline ended the call, waiting between attempts or for an answer.
                throw throttled != null ? throttled : new ServiceUnavailableException(ErrorSource.AWS_BACKUP,
                        "did not " + what + " in the time left in the invocation: it throttled the call or answered "
                        + "too slowly", e);
            }
            awaitAnotherTurn(throttled);
        }
    }

    /** Returns at the next free start, if it leaves time to call before the invocation's deadline. */
    private void awaitAnotherTurn(ThrottlingException throttled) {
        if (!takeTurn(false)) {
            throw throttled;
        }
    }

    private boolean takeTurn(boolean evenWhenLate) {
        long latestStart = micros(Instant.now().plus(deadline.timeLeft()).minus(START_MARGIN));
        for (int round = 0; round < ROUNDS; round++) {
            long now = micros(Instant.now());
            if (now > latestStart && !evenWhenLate) {
                return false;
            }
            Optional<Long> start = reserveInUse(now, Math.max(now, latestStart));
            if (start.isPresent()) {
                sleepUntil(Math.max(now, start.get()));
                return true;
            }
            if (restartIdle(now)) {
                return true;
            }
        }
        return false;
    }

    /** Takes the next start of a schedule in use, unless it is later than allowed. */
    private Optional<Long> reserveInUse(long now, long latestStart) {
        return update("SET " + NEXT_START + " = " + NEXT_START + " + :interval",
                NEXT_START + " > :idle AND " + NEXT_START + " <= :latest",
                Map.of(":interval", number(intervalMicros), ":idle", number(now - IN_USE_MICROS),
                        ":latest", number(latestStart)))
                .map(old -> Long.parseLong(old.get(NEXT_START).n()));
    }

    /** Takes the first start of an idle schedule, now, and restarts it behind the clock. */
    private boolean restartIdle(long now) {
        return update("SET " + NEXT_START + " = :next",
                "attribute_not_exists(" + NEXT_START + ") OR " + NEXT_START + " <= :idle",
                Map.of(":next", number(now - RESTART_BEHIND_MICROS + intervalMicros),
                        ":idle", number(now - IN_USE_MICROS)))
                .isPresent();
    }

    /** The item's old attributes if the condition held and the update was made, empty if it did not hold. */
    private Optional<Map<String, AttributeValue>> update(String update, String condition,
            Map<String, AttributeValue> values) {
        try {
            return Optional.of(dynamoDb.updateItem(UpdateItemRequest.builder()
                    .tableName(table)
                    .key(Map.of("id", AttributeValue.fromS(key)))
                    .updateExpression(update)
                    .conditionExpression(condition)
                    .expressionAttributeValues(values)
                    .returnValues(ReturnValue.UPDATED_OLD)
                    .overrideConfiguration(deadline.callOverride())
                    .build()).attributes());
        } catch (ConditionalCheckFailedException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw new IdempotencyStoreException(ErrorSource.REQUEST_RATE, "the idempotency table could not be used: "
                    + e.getMessage(), e);
        }
    }

    private void sleepUntil(long startMicros) {
        long waitMicros = startMicros - micros(Instant.now());
        if (waitMicros <= 0) {
            return;
        }
        try {
            Thread.sleep(Duration.of(waitMicros, ChronoUnit.MICROS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ThrottlingException(ErrorSource.REQUEST_RATE,
                    "interrupted while waiting for a " + operation + " call to be free", e);
        }
    }

    private static long micros(Instant instant) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
    }

    private static AttributeValue number(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
