package com.example.backupjob.idempotency;

import java.time.Instant;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.lambda.powertools.idempotency.IdempotencyConfig;
import software.amazon.lambda.powertools.idempotency.exceptions.IdempotencyItemAlreadyExistsException;
import software.amazon.lambda.powertools.idempotency.exceptions.IdempotencyItemNotFoundException;
import software.amazon.lambda.powertools.idempotency.persistence.BasePersistenceStore;
import software.amazon.lambda.powertools.idempotency.persistence.DataRecord;

/**
 * Powertools' DynamoDB store with two of its v1 defects mended.
 *
 * <p>It reconfigures its store on every call and rebuilds the key prefix in two unsynchronised steps, so SQS records
 * processed in parallel could be stored under a prefix like {@code fn} or {@code fn.startOnce.startOnce}, and a
 * redelivery would not find them: this store is configured once.
 *
 * <p>Its PutItem condition compares the in-progress expiry, in milliseconds, with the time in seconds, so an
 * in-progress record whose invocation timed out before releasing it blocked its request until the record's TTL, and
 * every redelivery failed on to the dead-letter queue: this store takes such a record over once it has expired.
 */
final class ConfiguredOnceStore extends BasePersistenceStore {

    private final BasePersistenceStore records;
    private final DynamoDbClient dynamoDb;
    private final String table;
    private boolean configured;

    ConfiguredOnceStore(BasePersistenceStore records, DynamoDbClient dynamoDb, String table) {
        this.records = records;
        this.dynamoDb = dynamoDb;
        this.table = table;
    }

    @Override
    public synchronized void configure(IdempotencyConfig config, String methodName) {
        if (!configured) {
            super.configure(config, methodName);
            // The store that writes the records must know that payload validation is on, or it drops the hash.
            records.configure(config, methodName);
            configured = true;
        }
    }

    @Override
    public DataRecord getRecord(String idempotencyKey) throws IdempotencyItemNotFoundException {
        return records.getRecord(idempotencyKey);
    }

    @Override
    public void putRecord(DataRecord record, Instant now) throws IdempotencyItemAlreadyExistsException {
        try {
            records.putRecord(record, now);
        } catch (IdempotencyItemAlreadyExistsException e) {
            if (!takeOverExpiredInProgress(record, now)) {
                throw e;
            }
        }
    }

    @Override
    public void updateRecord(DataRecord record) {
        records.updateRecord(record);
    }

    @Override
    public void deleteRecord(String idempotencyKey) {
        records.deleteRecord(idempotencyKey);
    }

    /** Writes the new in-progress record over one whose invocation ended without releasing it, as Powertools means to. */
    private boolean takeOverExpiredInProgress(DataRecord record, Instant now) {
        if (record.getInProgressExpiryTimestamp().isEmpty()) {
            return false;
        }
        try {
            dynamoDb.putItem(put -> put.tableName(table)
                    .item(Map.of(
                            "id", AttributeValue.fromS(record.getIdempotencyKey()),
                            "expiration", number(record.getExpiryTimestamp()),
                            "in_progress_expiration", number(record.getInProgressExpiryTimestamp().getAsLong()),
                            "status", AttributeValue.fromS(DataRecord.Status.INPROGRESS.toString()),
                            "validation", AttributeValue.fromS(record.getPayloadHash())))
                    .conditionExpression("#status = :inProgress AND #inProgressExpiry < :nowMillis")
                    .expressionAttributeNames(Map.of("#status", "status", "#inProgressExpiry", "in_progress_expiration"))
                    .expressionAttributeValues(Map.of(
                            ":inProgress", AttributeValue.fromS(DataRecord.Status.INPROGRESS.toString()),
                            ":nowMillis", number(now.toEpochMilli()))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    private static AttributeValue number(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
