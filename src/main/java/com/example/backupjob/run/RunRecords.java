package com.example.backupjob.run;

import com.example.backupjob.deadline.InvocationDeadline;
import com.example.backupjob.error.ErrorSource;
import com.example.backupjob.error.IdempotencyStoreException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * The fleet runs' items of the idempotency table, the one place that knows their layout: {@code run#<SelectionKey>}
 * (status, deadline, counters, the resources that did not complete), {@code job#<BackupJobId>} (the run and resource
 * of each job a run started, and its final state once known) and {@code runs#open} (the runs not yet summarised).
 *
 * <p>Counters only grow, with ADD, so that the selection, every StartBackupJob environment and every tracker write
 * the same record without overwriting each other. A count that must happen once per job is guarded by a conditional
 * write to the job's own item first; when the count itself then fails, that write is undone and the caller fails,
 * so that a retry counts it. (DynamoDB transactions would make the pair atomic, but the local DynamoDB the tests
 * run has none; the undo leaves a count lost, never doubled, only when DynamoDB fails twice in a row.)
 */
public final class RunRecords implements RequestCounter {

    /** How many ARNs the record lists; the rest are only counted, so the item stays far below DynamoDB's 400 KB. */
    public static final int MAX_INCOMPLETE_RESOURCES = 100;
    /**
     * How long a run's items outlive its deadline (TTL): the 14 days the dead-letter queues keep a message, so that a
     * request or event redriven late still finds its run.
     */
    public static final Duration KEPT_AFTER_DEADLINE = Duration.ofDays(14);

    public static final String RUN_PREFIX = "run#";
    public static final String JOB_PREFIX = "job#";
    public static final String OPEN_RUNS = "runs#open";

    private static final Logger LOG = LoggerFactory.getLogger(RunRecords.class);

    private static final String ID = "id";
    private static final String EXPIRATION = "expiration";
    private static final String STATUS = "status";
    private static final String DEADLINE = "deadline";
    private static final String RUN = "run";
    private static final String RESOURCE = "resource";
    private static final String FINAL_STATE = "finalState";
    private static final String FINAL_AT = "finalAt";
    private static final String INCOMPLETE_RESOURCES = "incompleteResources";
    private static final String INCOMPLETE_MORE = "incompleteMore";
    private static final String STATUS_BEFORE_SUMMARY = "statusBeforeSummary";
    private static final String SUMMARY_CLAIM = "summaryClaim";
    private static final String SUMMARY_CLAIMED_AT = "summaryClaimedAt";
    private static final String SUMMARY_SENT_AT = "summarySentAt";
    private static final String SUMMARY_MESSAGE_ID = "summaryMessageId";
    private static final String OPEN_KEYS = "keys";
    private static final AttributeValue ONE = AttributeValue.fromN("1");

    private final DynamoDbClient dynamoDb;
    private final String table;
    private final InvocationDeadline deadline;
    private final Clock clock;

    public RunRecords(DynamoDbClient dynamoDb, String table, InvocationDeadline deadline, Clock clock) {
        this.dynamoDb = dynamoDb;
        this.table = table;
        this.deadline = deadline;
        this.clock = clock;
    }

    /**
     * Ties {@code job#<id>} to its run unless it is tied already, then adds 1 to the run's {@code started}: the
     * conditional write makes a second delivery of the request (a duplicate, or a retry after this count failed)
     * count nothing more. An update, not a put: the item may already hold the job's mark (JobMarkers), which the
     * copies rely on.
     */
    @Override
    public void countStarted(Run run, String backupJobId, String resourceArn) {
        Map<String, AttributeValue> jobKey = key(JOB_PREFIX + backupJobId);
        try {
            call(() -> dynamoDb.updateItem(update -> update.tableName(table)
                    .key(jobKey)
                    .updateExpression("SET #run = :run, #resource = :resource, "
                            + "#expiration = if_not_exists(#expiration, :expiration)")
                    .conditionExpression("attribute_not_exists(#run)")
                    .expressionAttributeNames(Map.of("#run", RUN, "#resource", RESOURCE, "#expiration", EXPIRATION))
                    .expressionAttributeValues(Map.of(":run", AttributeValue.fromS(run.selectionKey()),
                            ":resource", AttributeValue.fromS(resourceArn),
                            ":expiration", expiration(run.deadline())))
                    .overrideConfiguration(deadline.callOverride())), "record the started job");
        } catch (ConditionalCheckFailedException e) {
            return;
        }
        try {
            call(() -> dynamoDb.updateItem(update -> update.tableName(table)
                    .key(runKey(run.selectionKey()))
                    .updateExpression("ADD #started :one")
                    .conditionExpression("attribute_exists(id)")
                    .expressionAttributeNames(Map.of("#started", RunState.STARTED))
                    .expressionAttributeValues(Map.of(":one", ONE))
                    .overrideConfiguration(deadline.callOverride())), "count the started job");
        } catch (ConditionalCheckFailedException e) {
            // A message tagged for a run the table does not know: the job stands, untracked.
            LOG.atWarn().addKeyValue("SelectionKey", run.selectionKey()).addKeyValue("BackupJobId", backupJobId)
                    .log("Run record not found: the job is not counted in any run");
            undo(() -> untie(jobKey), backupJobId);
        } catch (IdempotencyStoreException e) {
            undo(() -> untie(jobKey), backupJobId);
            throw e;
        }
    }

    /**
     * Adds 1 to the end's counter and the ARN to the resources that did not complete; while the list has room, an
     * ARN already in it means this request was counted already (a duplicate delivery), and counts nothing more.
     */
    @Override
    public void countEnd(Run run, RequestEnd end, String resourceArn) {
        String key = run.selectionKey();
        if (resourceArn != null) {
            try {
                call(() -> dynamoDb.updateItem(update -> update.tableName(table)
                        .key(runKey(key))
                        .updateExpression("ADD #counter :one, #incomplete :arns")
                        .conditionExpression("attribute_exists(id) AND (attribute_not_exists(#incomplete) OR "
                                + "(size(#incomplete) < :max AND NOT contains(#incomplete, :arn)))")
                        .expressionAttributeNames(Map.of("#counter", end.counter(),
                                "#incomplete", INCOMPLETE_RESOURCES))
                        .expressionAttributeValues(Map.of(":one", ONE, ":arns", AttributeValue.fromSs(
                                List.of(resourceArn)), ":arn", AttributeValue.fromS(resourceArn),
                                ":max", number(MAX_INCOMPLETE_RESOURCES)))
                        .overrideConfiguration(deadline.callOverride())), "count the request's end");
                return;
            } catch (ConditionalCheckFailedException e) {
                Optional<RunState> state = read(key);
                if (state.isEmpty()) {
                    warnNoRun(key);
                    return;
                }
                if (state.get().incompleteResources().contains(resourceArn)) {
                    return;
                }
            }
        }
        try {
            call(() -> dynamoDb.updateItem(update -> update.tableName(table)
                    .key(runKey(key))
                    .updateExpression("ADD #counter :one, #more :one")
                    .conditionExpression("attribute_exists(id)")
                    .expressionAttributeNames(Map.of("#counter", end.counter(), "#more", INCOMPLETE_MORE))
                    .expressionAttributeValues(Map.of(":one", ONE))
                    .overrideConfiguration(deadline.callOverride())), "count the request's end");
        } catch (ConditionalCheckFailedException e) {
            warnNoRun(key);
        }
    }

    /**
     * Records a job's final state in its {@code job#} item, once, then adds it to its run's counters.
     *
     * @return empty when the job is no run's (no {@code job#} item); otherwise its run, and whether this call counted
     *     it (false for a duplicate event)
     * @throws IdempotencyStoreException when the table cannot be used; the job's final state is then left unrecorded,
     *     so that the event's retry counts it
     */
    public Optional<RecordedJobEnd> recordJobEnd(String backupJobId, JobEnd end) {
        Map<String, AttributeValue> jobKey = key(JOB_PREFIX + backupJobId);
        Map<String, AttributeValue> job;
        try {
            job = call(() -> dynamoDb.updateItem(update -> update.tableName(table)
                    .key(jobKey)
                    .updateExpression("SET #final = :end, #finalAt = :now")
                    .conditionExpression("attribute_exists(#run) AND attribute_not_exists(#final)")
                    .expressionAttributeNames(Map.of("#run", RUN, "#final", FINAL_STATE, "#finalAt", FINAL_AT))
                    .expressionAttributeValues(Map.of(":end", AttributeValue.fromS(end.name()),
                            ":now", number(clock.instant().getEpochSecond())))
                    .returnValues(ReturnValue.ALL_NEW)
                    .overrideConfiguration(deadline.callOverride())), "record the job's end").attributes();
        } catch (ConditionalCheckFailedException e) {
            Map<String, AttributeValue> existing = call(() -> dynamoDb.getItem(get -> get.tableName(table)
                    .key(jobKey).consistentRead(true).overrideConfiguration(deadline.callOverride())),
                    "read the job").item();
            if (existing == null || !existing.containsKey(RUN)) {
                // No run's job: unmarked, or only marked for copies.
                return Optional.empty();
            }
            String key = existing.get(RUN).s();
            return Optional.of(new RecordedJobEnd(key, existing.get(RESOURCE).s(), false, read(key)));
        }
        String key = job.get(RUN).s();
        String resourceArn = job.get(RESOURCE).s();
        try {
            return Optional.of(new RecordedJobEnd(key, resourceArn, true, countJobEnd(key, end, resourceArn)));
        } catch (IdempotencyStoreException e) {
            undo(() -> dynamoDb.updateItem(update -> update.tableName(table)
                    .key(jobKey)
                    .updateExpression("REMOVE #final, #finalAt")
                    .conditionExpression("#final = :end")
                    .expressionAttributeNames(Map.of("#final", FINAL_STATE, "#finalAt", FINAL_AT))
                    .expressionAttributeValues(Map.of(":end", AttributeValue.fromS(end.name())))
                    .overrideConfiguration(deadline.callOverride())), backupJobId);
            throw e;
        }
    }

    /** Unties a job from its run, keeping the item's other attributes (the job's mark for copies). */
    private void untie(Map<String, AttributeValue> jobKey) {
        dynamoDb.updateItem(update -> update.tableName(table).key(jobKey)
                .updateExpression("REMOVE #run")
                .expressionAttributeNames(Map.of("#run", RUN))
                .overrideConfiguration(deadline.callOverride()));
    }

    /** The run's record, read consistently; empty when the table has none. */
    public Optional<RunState> read(String selectionKey) {
        Map<String, AttributeValue> item = call(() -> dynamoDb.getItem(get -> get.tableName(table)
                .key(runKey(selectionKey)).consistentRead(true).overrideConfiguration(deadline.callOverride())),
                "read the run record").item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(state(item));
    }

    /**
     * Claims the summary of a run that is complete: only a run whose every page is queued, and only once, whoever
     * else tries at the same time.
     *
     * @return the run as claimed, or empty when it was not QUEUED (not all queued yet, or already claimed)
     */
    public Optional<RunState> claimCompleteSummary(String selectionKey, String claim) {
        return claim(selectionKey, claim, "#status = :queued", Map.of(":queued",
                AttributeValue.fromS(RunState.QUEUED)));
    }

    /**
     * Claims the summary of a run past its deadline, whatever its status short of summarised.
     *
     * @return the run as claimed, or empty when its deadline has not passed or its summary is claimed already
     */
    public Optional<RunState> claimDeadlineSummary(String selectionKey, String claim) {
        return claim(selectionKey, claim, "(#status = :selecting OR #status = :queued) AND #deadline < :now",
                Map.of(":selecting", AttributeValue.fromS(RunState.SELECTING),
                        ":queued", AttributeValue.fromS(RunState.QUEUED),
                        ":now", number(clock.instant().getEpochSecond())));
    }

    /**
     * Takes over a claim whose holder never sent the summary nor released it (its invocation ended first).
     *
     * @return the run as claimed, or empty when the claim changed or the summary was sent meanwhile
     */
    public Optional<RunState> takeOverClaim(String selectionKey, String staleClaim, String claim) {
        return update(selectionKey, "SET #claim = :claim, #claimedAt = :now",
                "#status = :summarised AND #claim = :stale AND attribute_not_exists(#sentAt)",
                Map.of("#status", STATUS, "#claim", SUMMARY_CLAIM, "#claimedAt", SUMMARY_CLAIMED_AT,
                        "#sentAt", SUMMARY_SENT_AT),
                Map.of(":claim", AttributeValue.fromS(claim), ":stale", AttributeValue.fromS(staleClaim),
                        ":summarised", AttributeValue.fromS(RunState.SUMMARISED),
                        ":now", number(clock.instant().getEpochSecond())));
    }

    /** Gives the claim up after the summary could not be sent, so that a retry (or another tracker) sends it. */
    public void releaseClaim(String selectionKey, String claim) {
        Optional<RunState> released = update(selectionKey,
                "SET #status = #before REMOVE #claim, #claimedAt",
                "#status = :summarised AND #claim = :claim",
                Map.of("#status", STATUS, "#before", STATUS_BEFORE_SUMMARY, "#claim", SUMMARY_CLAIM,
                        "#claimedAt", SUMMARY_CLAIMED_AT),
                Map.of(":claim", AttributeValue.fromS(claim),
                        ":summarised", AttributeValue.fromS(RunState.SUMMARISED)));
        if (released.isEmpty()) {
            LOG.atWarn().addKeyValue("SelectionKey", selectionKey)
                    .log("The summary's claim had been taken over; left to its new holder");
        }
    }

    /** Notes that the summary went out, so that the claim is never taken over. */
    public void summarySent(String selectionKey, String claim, String messageId) {
        Optional<RunState> sent = update(selectionKey, "SET #sentAt = :now, #messageId = :messageId",
                "#claim = :claim",
                Map.of("#sentAt", SUMMARY_SENT_AT, "#messageId", SUMMARY_MESSAGE_ID, "#claim", SUMMARY_CLAIM),
                Map.of(":now", number(clock.instant().getEpochSecond()), ":claim", AttributeValue.fromS(claim),
                        ":messageId", AttributeValue.fromS(messageId)));
        if (sent.isEmpty()) {
            LOG.atWarn().addKeyValue("SelectionKey", selectionKey)
                    .log("The summary went out after its claim had been taken over: a second one may follow");
        }
    }

    /** The SelectionKeys of the runs not yet summarised. */
    public Set<String> openRuns() {
        Map<String, AttributeValue> item = call(() -> dynamoDb.getItem(get -> get.tableName(table)
                .key(key(OPEN_RUNS)).consistentRead(true).overrideConfiguration(deadline.callOverride())),
                "read the open runs").item();
        return item == null || !item.containsKey(OPEN_KEYS) ? Set.of() : Set.copyOf(item.get(OPEN_KEYS).ss());
    }

    /** Takes a summarised run off the open runs. */
    public void close(String selectionKey) {
        call(() -> dynamoDb.updateItem(update -> update.tableName(table)
                .key(key(OPEN_RUNS))
                .updateExpression("DELETE #keys :key")
                .expressionAttributeNames(Map.of("#keys", OPEN_KEYS))
                .expressionAttributeValues(Map.of(":key", AttributeValue.fromSs(List.of(selectionKey))))
                .overrideConfiguration(deadline.callOverride())), "close the run");
    }

    /** The {@code expiration} (TTL, epoch seconds) of a run's items. */
    public static long expirationOf(Instant runDeadline) {
        return runDeadline.plus(KEPT_AFTER_DEADLINE).getEpochSecond();
    }

    /** A job's final state as recorded, with its run as it stands after the count. */
    public record RecordedJobEnd(String selectionKey, String resourceArn, boolean counted, Optional<RunState> run) {
    }

    private Optional<RunState> countJobEnd(String selectionKey, JobEnd end, String resourceArn) {
        if (end.isIncomplete()) {
            return update(selectionKey, "ADD #counter :one, #incomplete :arns",
                    "attribute_exists(id) AND (attribute_not_exists(#incomplete) OR size(#incomplete) < :max "
                            + "OR contains(#incomplete, :arn))",
                    Map.of("#counter", end.counter(), "#incomplete", INCOMPLETE_RESOURCES),
                    Map.of(":one", ONE, ":arns", AttributeValue.fromSs(List.of(resourceArn)),
                            ":arn", AttributeValue.fromS(resourceArn), ":max", number(MAX_INCOMPLETE_RESOURCES)))
                    // The list is full (or the run has no record, which the second condition finds too).
                    .or(() -> update(selectionKey, "ADD #counter :one, #more :one", "attribute_exists(id)",
                            Map.of("#counter", end.counter(), "#more", INCOMPLETE_MORE), Map.of(":one", ONE)));
        }
        return update(selectionKey, "ADD #counter :one", "attribute_exists(id)", Map.of("#counter", end.counter()),
                Map.of(":one", ONE));
    }

    private Optional<RunState> claim(String selectionKey, String claim, String condition,
            Map<String, AttributeValue> conditionValues) {
        Map<String, String> names = new HashMap<>(Map.of("#status", STATUS, "#before", STATUS_BEFORE_SUMMARY,
                "#claim", SUMMARY_CLAIM, "#claimedAt", SUMMARY_CLAIMED_AT));
        if (condition.contains("#deadline")) {
            names.put("#deadline", DEADLINE);
        }
        Map<String, AttributeValue> values = new HashMap<>(conditionValues);
        values.put(":summarised", AttributeValue.fromS(RunState.SUMMARISED));
        values.put(":claim", AttributeValue.fromS(claim));
        values.putIfAbsent(":now", number(clock.instant().getEpochSecond()));
        return update(selectionKey, "SET #before = #status, #status = :summarised, #claim = :claim, "
                + "#claimedAt = :now", condition, names, values);
    }

    /** A conditional update of the run's item; empty when its condition failed. */
    private Optional<RunState> update(String selectionKey, String expression, String condition,
            Map<String, String> names, Map<String, AttributeValue> values) {
        UpdateItemRequest request = UpdateItemRequest.builder().tableName(table)
                .key(runKey(selectionKey))
                .updateExpression(expression)
                .conditionExpression(condition)
                .expressionAttributeNames(names)
                .expressionAttributeValues(values)
                .returnValues(ReturnValue.ALL_NEW)
                .overrideConfiguration(deadline.callOverride())
                .build();
        try {
            return Optional.of(state(call(() -> dynamoDb.updateItem(request), "update the run record")
                    .attributes()));
        } catch (ConditionalCheckFailedException e) {
            return Optional.empty();
        }
    }

    private static RunState state(Map<String, AttributeValue> item) {
        Map<String, Long> counters = new HashMap<>();
        item.forEach((name, value) -> {
            if (value.n() != null && !Set.of(DEADLINE, EXPIRATION, INCOMPLETE_MORE, SUMMARY_CLAIMED_AT,
                    SUMMARY_SENT_AT).contains(name)) {
                counters.put(name, Long.parseLong(value.n()));
            }
        });
        AttributeValue incomplete = item.get(INCOMPLETE_RESOURCES);
        AttributeValue claimedAt = item.get(SUMMARY_CLAIMED_AT);
        AttributeValue deadline = item.get(DEADLINE);
        return new RunState(item.get(ID).s().substring(RUN_PREFIX.length()),
                item.containsKey(STATUS) ? item.get(STATUS).s() : "",
                deadline == null ? Instant.MAX : Instant.ofEpochSecond(Long.parseLong(deadline.n())),
                counters,
                incomplete == null ? List.of() : incomplete.ss(),
                item.containsKey(INCOMPLETE_MORE) ? Long.parseLong(item.get(INCOMPLETE_MORE).n()) : 0,
                item.containsKey(SUMMARY_CLAIM) ? item.get(SUMMARY_CLAIM).s() : null,
                claimedAt == null ? null : Instant.ofEpochSecond(Long.parseLong(claimedAt.n())),
                item.containsKey(SUMMARY_SENT_AT),
                item.containsKey(STATUS_BEFORE_SUMMARY) ? item.get(STATUS_BEFORE_SUMMARY).s() : null);
    }

    /** Runs a call, its failures other than a failed condition as the run record's. */
    private static <T> T call(Supplier<T> call, String what) {
        try {
            return call.get();
        } catch (ConditionalCheckFailedException e) {
            throw e;
        } catch (SdkException e) {
            throw new IdempotencyStoreException(ErrorSource.RUN_RECORD, "could not " + what + ": " + e.getMessage(),
                    e);
        }
    }

    /** Undoes the guard of a count that failed, so that a retry counts it; if even that fails, the count is lost. */
    private static void undo(Runnable undo, String backupJobId) {
        try {
            undo.run();
        } catch (SdkException e) {
            LOG.atError().addKeyValue("BackupJobId", backupJobId).addKeyValue("errorSource",
                            ErrorSource.RUN_RECORD.label())
                    .log("Run record: could not undo the job's record after its count failed ({}); the job will "
                            + "not be counted in its run", e.getClass().getSimpleName());
        }
    }

    private static void warnNoRun(String selectionKey) {
        LOG.atWarn().addKeyValue("SelectionKey", selectionKey)
                .log("Run record not found: the request's end is not counted in any run");
    }

    private static Map<String, AttributeValue> key(String id) {
        return Map.of(ID, AttributeValue.fromS(id));
    }

    private static Map<String, AttributeValue> runKey(String selectionKey) {
        return key(RUN_PREFIX + selectionKey);
    }

    private static AttributeValue expiration(Instant runDeadline) {
        return number(expirationOf(runDeadline));
    }

    private static AttributeValue number(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
