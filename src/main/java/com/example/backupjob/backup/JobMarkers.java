package com.example.backupjob.backup;

import com.example.backupjob.deadline.InvocationDeadline;
import com.example.backupjob.error.ErrorSource;
import com.example.backupjob.error.IdempotencyStoreException;
import com.example.backupjob.request.BackupRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The mark of a backup job this stack started: an item {@code job#<BackupJobId>} in the idempotency table, with the
 * resource and a TTL. AWS Backup's job state change events carry no tags, and neither the vault nor the absence of a
 * backup plan tells this stack's jobs from those other tools start on demand in the same vault: the mark does.
 */
public final class JobMarkers {

    /** The least time a mark is kept: a job's COMPLETED event comes when it ends, seldom later than this. */
    static final Duration LEAST_TTL = Duration.ofDays(30);
    /** Kept a day past the job's windows, for events AWS Backup sends late (best effort, every 5 minutes). */
    private static final Duration AFTER_WINDOWS = Duration.ofDays(1);

    private final DynamoDbClient dynamoDb;
    private final String table;
    private final InvocationDeadline deadline;

    public JobMarkers(DynamoDbClient dynamoDb, String table, InvocationDeadline deadline) {
        this.dynamoDb = dynamoDb;
        this.table = table;
        this.deadline = deadline;
    }

    /** The item key of a job's mark. */
    public static String key(String backupJobId) {
        return "job#" + backupJobId;
    }

    /**
     * Marks a job just started. An update, not a put, so that attributes others keep on the same item (a fleet run's
     * id) stay; marking the same job again changes nothing.
     *
     * @throws IdempotencyStoreException when the table cannot be used
     */
    public void mark(BackupJob job, BackupRequest request) {
        try {
            dynamoDb.updateItem(update -> update.tableName(table)
                    .key(Map.of("id", AttributeValue.fromS(key(job.backupJobId()))))
                    .updateExpression("SET #resource = :resource, #expiration = :expiration")
                    .expressionAttributeNames(Map.of("#resource", "resource", "#expiration", "expiration"))
                    .expressionAttributeValues(Map.of(
                            ":resource", AttributeValue.fromS(request.resourceArn()),
                            ":expiration", AttributeValue.fromN(Long.toString(expiration(request, Instant.now())))))
                    .overrideConfiguration(deadline.callOverride()));
        } catch (SdkException e) {
            throw new IdempotencyStoreException(ErrorSource.IDEMPOTENCY_STORE, "the job's mark could not be written: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Whether the job carries this stack's mark, read consistently.
     *
     * @throws IdempotencyStoreException when the table cannot be used
     */
    public boolean isMarked(String backupJobId) {
        try {
            return dynamoDb.getItem(get -> get.tableName(table)
                    .key(Map.of("id", AttributeValue.fromS(key(backupJobId))))
                    .consistentRead(true)
                    .projectionExpression("id")
                    .overrideConfiguration(deadline.callOverride())).hasItem();
        } catch (SdkException e) {
            throw new IdempotencyStoreException(ErrorSource.IDEMPOTENCY_STORE, "the job's mark could not be read: "
                    + e.getMessage(), e);
        }
    }

    /** Epoch seconds: past the job's start and complete windows and a day, and at least 30 days from now. */
    static long expiration(BackupRequest request, Instant now) {
        long windowMinutes = (request.startWindowMinutes() == null ? 0 : request.startWindowMinutes())
                + (request.completeWindowMinutes() == null ? 0 : request.completeWindowMinutes());
        Duration kept = Duration.ofMinutes(windowMinutes).plus(AFTER_WINDOWS);
        return now.plus(kept.compareTo(LEAST_TTL) > 0 ? kept : LEAST_TTL).getEpochSecond();
    }
}
