package com.example.backupjob.selection;

import com.example.backupjob.deadline.InvocationDeadline;
import com.example.backupjob.error.ErrorSource;
import com.example.backupjob.error.IdempotencyStoreException;
import com.example.backupjob.selection.RunRecord.Counts;
import com.example.backupjob.selection.RunRecord.Position;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * The tag selection's side of a run's record, {@code run#<SelectionKey>} in the idempotency table: it creates the
 * record once, reads it to resume, and after each batch saves the position and adds to the counters in one
 * conditional UpdateItem. It also lists the run in {@code runs#open}, which the run's summary removes it from.
 *
 * <p>Counters are only ever added to (ADD), so that the StartBackupJob function and the job tracker, which add their
 * own counters to the same item, never overwrite the selection's, nor it theirs.
 */
public final class SelectionRuns {

    static final String KEY_PREFIX = "run#";
    static final String OPEN_RUNS_KEY = "runs#open";
    /** How long a run's record is kept after its deadline, for reading what happened (DynamoDB TTL). */
    static final Duration KEPT_AFTER_DEADLINE = Duration.ofDays(14);

    private static final String ID = "id";
    private static final String STATUS = "status";
    private static final String DEADLINE = "deadline";
    private static final String EXPIRATION = "expiration";
    private static final String SELECTION = "selection";
    private static final String OPTED_OUT_TYPES = "optedOutTypes";
    private static final String POSITION = "position";
    private static final String POSITION_OFFSET = "positionOffset";
    private static final String LISTED = "listed";
    private static final String RESUME_AT = "resumeAt";
    private static final String SAVES = "saves";
    private static final String SAVED_BY = "savedBy";
    private static final String MATCHED = "matched";
    private static final String QUEUED = "queued";
    private static final String SKIPPED_UNSUPPORTED_TYPE = "skippedUnsupportedType";
    private static final String SKIPPED_OPTED_OUT = "skippedOptedOut";
    private static final String SKIPPED_NOT_RESOURCES = "skippedNotResources";
    private static final String OPEN_KEYS = "keys";

    private final DynamoDbClient dynamoDb;
    private final String table;
    private final InvocationDeadline deadline;

    public SelectionRuns(DynamoDbClient dynamoDb, String table, InvocationDeadline deadline) {
        this.dynamoDb = dynamoDb;
        this.table = table;
        this.deadline = deadline;
    }

    /**
     * The run's record, read consistently, if the run was started.
     *
     * @throws IdempotencyStoreException when the table cannot be read
     */
    Optional<RunRecord> find(String key) {
        return item(key).filter(item -> item.containsKey(SELECTION)).map(item -> record(key, item));
    }

    private Optional<Map<String, AttributeValue>> item(String key) {
        try {
            Map<String, AttributeValue> item = dynamoDb.getItem(get -> get.tableName(table)
                    .key(key(key))
                    .consistentRead(true)
                    .overrideConfiguration(deadline.callOverride())).item();
            return item == null || item.isEmpty() ? Optional.empty() : Optional.of(item);
        } catch (SdkException e) {
            throw unavailable("could not be read", e);
        }
    }

    /**
     * Creates the run's record, unless a retry of this invocation already did: a retry never resets it.
     *
     * @return the run as recorded, by this call or the earlier one
     * @throws IdempotencyStoreException when the table cannot be written
     */
    RunRecord create(String key, SelectionRequest request, Set<String> optedOutTypes, Instant runDeadline) {
        Map<String, AttributeValue> item = new HashMap<>(key(key));
        item.put(STATUS, AttributeValue.fromS(RunRecord.SELECTING));
        item.put(DEADLINE, number(runDeadline.getEpochSecond()));
        item.put(EXPIRATION, number(runDeadline.plus(KEPT_AFTER_DEADLINE).getEpochSecond()));
        item.put(SELECTION, AttributeValue.fromS(request.toJson()));
        if (!optedOutTypes.isEmpty()) {
            // A string set cannot be empty: no attribute means no type is opted out.
            item.put(OPTED_OUT_TYPES, AttributeValue.fromSs(optedOutTypes.stream().sorted().toList()));
        }
        item.put(POSITION_OFFSET, number(0));
        item.put(LISTED, number(0));
        item.put(SAVES, number(0));
        for (String counter : new String[] {MATCHED, QUEUED, SKIPPED_UNSUPPORTED_TYPE, SKIPPED_OPTED_OUT,
                SKIPPED_NOT_RESOURCES}) {
            item.put(counter, number(0));
        }
        try {
            dynamoDb.putItem(put -> put.tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(#id)")
                    .expressionAttributeNames(Map.of("#id", ID))
                    .overrideConfiguration(deadline.callOverride()));
            return new RunRecord(key, RunRecord.SELECTING, Instant.ofEpochSecond(runDeadline.getEpochSecond()),
                    request, optedOutTypes, Position.START, Counts.ZERO, 0);
        } catch (ConditionalCheckFailedException e) {
            return find(key).orElseThrow(() -> unavailable("was created and is gone", e));
        } catch (SdkException e) {
            throw unavailable("could not be created", e);
        }
    }

    /**
     * Lists the run among the open runs (a set: adding it again changes nothing), so that a periodic check finds the
     * runs past their deadline without a Scan.
     */
    void markOpen(String key) {
        try {
            dynamoDb.updateItem(update -> update.tableName(table)
                    .key(Map.of(ID, AttributeValue.fromS(OPEN_RUNS_KEY)))
                    .updateExpression("ADD #keys :key")
                    .expressionAttributeNames(Map.of("#keys", OPEN_KEYS))
                    .expressionAttributeValues(Map.of(":key", AttributeValue.fromSs(List.of(key))))
                    .overrideConfiguration(deadline.callOverride()));
        } catch (SdkException e) {
            throw unavailable("could not be listed in " + OPEN_RUNS_KEY, e);
        }
    }

    /**
     * Saves the run's new position and adds what the resources since the last save came to, in one UpdateItem, on
     * the condition that the run is still selecting and nobody saved since {@code saves}. When the page was the last,
     * the position is removed and the run is QUEUED.
     *
     * @param next the new position, or null when every page is queued
     * @param invocationId who saves: when the SDK retried the call after its first attempt had been applied, the
     *     condition fails, and the record itself shows that this invocation made the save
     * @return the run's counts after the save; empty when another invocation saved meanwhile (a duplicate delivery
     *     of the same run), which then carries on from its own position
     * @throws IdempotencyStoreException when the table cannot be written
     */
    Optional<Counts> save(String key, long saves, Position next, Counts added, String invocationId) {
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> values = new HashMap<>();
        StringBuilder set = new StringBuilder("SET ");
        StringBuilder remove = new StringBuilder();
        assign(set, names, values, SAVED_BY, AttributeValue.fromS(invocationId));
        if (next == null) {
            assign(set, names, values, STATUS, AttributeValue.fromS(RunRecord.QUEUED));
            remove.append(" REMOVE #").append(POSITION).append(", #").append(RESUME_AT);
            names.put("#" + POSITION, POSITION);
            names.put("#" + RESUME_AT, RESUME_AT);
        } else {
            assign(set, names, values, POSITION_OFFSET, number(next.offset()));
            assign(set, names, values, LISTED, number(next.listed()));
            assign(set, names, values, RESUME_AT, number(next.resumeAt()));
            if (next.token() == null) {
                remove.append(" REMOVE #").append(POSITION);
                names.put("#" + POSITION, POSITION);
            } else {
                assign(set, names, values, POSITION, AttributeValue.fromS(next.token()));
            }
        }
        StringBuilder add = new StringBuilder(" ADD ");
        increment(add, names, values, SAVES, 1);
        increment(add, names, values, MATCHED, added.matched());
        increment(add, names, values, QUEUED, added.queued());
        increment(add, names, values, SKIPPED_UNSUPPORTED_TYPE, added.skippedUnsupportedType());
        increment(add, names, values, SKIPPED_OPTED_OUT, added.skippedOptedOut());
        increment(add, names, values, SKIPPED_NOT_RESOURCES, added.skippedNotResources());
        names.put("#status", STATUS);
        values.put(":selecting", AttributeValue.fromS(RunRecord.SELECTING));
        values.put(":savesBefore", number(saves));
        String expression = set.substring(0, set.length() - 2) + remove + add.substring(0, add.length() - 2);
        try {
            Map<String, AttributeValue> updated = dynamoDb.updateItem(update -> update.tableName(table)
                    .key(key(key))
                    .updateExpression(expression)
                    .conditionExpression("#status = :selecting AND #" + SAVES + " = :savesBefore")
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values)
                    .returnValues(ReturnValue.UPDATED_NEW)
                    .overrideConfiguration(deadline.callOverride())).attributes();
            return Optional.of(counts(updated));
        } catch (ConditionalCheckFailedException e) {
            return item(key)
                    .filter(item -> longOf(item, SAVES) == saves + 1 && item.containsKey(SAVED_BY)
                            && invocationId.equals(item.get(SAVED_BY).s()))
                    .map(SelectionRuns::counts);
        } catch (SdkException e) {
            throw unavailable("could not be saved", e);
        }
    }

    private static void assign(StringBuilder set, Map<String, String> names, Map<String, AttributeValue> values,
            String attribute, AttributeValue value) {
        set.append('#').append(attribute).append(" = :").append(attribute).append(", ");
        names.put("#" + attribute, attribute);
        values.put(":" + attribute, value);
    }

    private static void increment(StringBuilder add, Map<String, String> names, Map<String, AttributeValue> values,
            String counter, long by) {
        add.append('#').append(counter).append(" :").append(counter).append(", ");
        names.put("#" + counter, counter);
        values.put(":" + counter, number(by));
    }

    private static RunRecord record(String key, Map<String, AttributeValue> item) {
        AttributeValue optedOut = item.get(OPTED_OUT_TYPES);
        AttributeValue token = item.get(POSITION);
        return new RunRecord(key, item.get(STATUS).s(), Instant.ofEpochSecond(longOf(item, DEADLINE)),
                SelectionRequest.fromJson(item.get(SELECTION).s()), optedOut == null ? Set.of() : Set.copyOf(optedOut.ss()),
                new Position(token == null ? null : token.s(), (int) longOf(item, POSITION_OFFSET),
                        longOf(item, LISTED), longOf(item, RESUME_AT)),
                counts(item), longOf(item, SAVES));
    }

    private static Counts counts(Map<String, AttributeValue> item) {
        return new Counts(longOf(item, MATCHED), longOf(item, QUEUED), longOf(item, SKIPPED_UNSUPPORTED_TYPE),
                longOf(item, SKIPPED_OPTED_OUT), longOf(item, SKIPPED_NOT_RESOURCES));
    }

    private static long longOf(Map<String, AttributeValue> item, String attribute) {
        AttributeValue value = item.get(attribute);
        return value == null || value.n() == null ? 0 : Long.parseLong(value.n());
    }

    private static Map<String, AttributeValue> key(String key) {
        return Map.of(ID, AttributeValue.fromS(KEY_PREFIX + key));
    }

    private static AttributeValue number(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    /** The SDK's messages name the table and the error, never an item's values. */
    private static IdempotencyStoreException unavailable(String what, Exception e) {
        return new IdempotencyStoreException(ErrorSource.RUN_RECORD, "the run's record " + what + ": "
                + e.getMessage(), e);
    }
}
