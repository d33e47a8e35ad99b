package com.example.backupjob.idempotency;

import com.amazonaws.services.lambda.runtime.Context;
import com.example.backupjob.backup.BackupJob;
import com.example.backupjob.backup.BackupJobStarter;
import com.example.backupjob.backup.BackupJobs;
import com.example.backupjob.backup.JobMarkers;
import com.example.backupjob.deadline.InvocationDeadline;
import com.example.backupjob.error.ErrorSource;
import com.example.backupjob.error.IdempotencyAlreadyInProgressException;
import com.example.backupjob.error.IdempotencyStoreException;
import com.example.backupjob.error.InvalidRequestException;
import com.example.backupjob.request.BackupRequest;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.lambda.powertools.idempotency.Idempotency;
import software.amazon.lambda.powertools.idempotency.IdempotencyConfig;
import software.amazon.lambda.powertools.idempotency.IdempotencyKey;
import software.amazon.lambda.powertools.idempotency.Idempotent;
import software.amazon.lambda.powertools.idempotency.exceptions.IdempotencyConfigurationException;
import software.amazon.lambda.powertools.idempotency.exceptions.IdempotencyInconsistentStateException;
import software.amazon.lambda.powertools.idempotency.exceptions.IdempotencyKeyException;
import software.amazon.lambda.powertools.idempotency.exceptions.IdempotencyPersistenceLayerException;
import software.amazon.lambda.powertools.idempotency.exceptions.IdempotencyValidationException;
import software.amazon.lambda.powertools.idempotency.persistence.DynamoDBPersistenceStore;

/** Starts each backup job at most once per token, remembered in DynamoDB through Powertools idempotency. */
public class IdempotentBackupJobs implements BackupJobStarter {

    private final BackupJobs backupJobs;
    private final JobMarkers markers;

    /** Configures Powertools' JVM-wide idempotency settings, so build one per execution environment. */
    public IdempotentBackupJobs(BackupJobs backupJobs, DynamoDbClient dynamoDb, InvocationDeadline deadline,
            String table, Duration ttl) {
        this.backupJobs = backupJobs;
        this.markers = new JobMarkers(dynamoDb, table, deadline);
        DynamoDbClient deadlineBound = new DeadlineBoundDynamoDb(dynamoDb, deadline);
        Idempotency.config()
                .withPersistenceStore(new ConfiguredOnceStore(DynamoDBPersistenceStore.builder()
                        .withTableName(table)
                        .withDynamoDbClient(deadlineBound)
                        .build(), deadlineBound, table))
                // The record is keyed on the token alone and bound to the whole request: the same token sent with any
                // other field different is refused rather than answered with the first job.
                .withConfig(IdempotencyConfig.builder()
                        .withEventKeyJMESPath("backupToken")
                        .withPayloadValidationJMESPath("request")
                        .withExpiration(ttl)
                        .build())
                .configure();
    }

    /** Lets an in-progress record expire with the invocation, so a retry after a timeout is not blocked. */
    @Override
    public void beginInvocation(Context context) {
        Idempotency.registerLambdaContext(context);
    }

    /**
     * @throws IdempotencyAlreadyInProgressException when another invocation is starting the same job
     * @throws InvalidRequestException when the token was already used for a different request
     * @throws IdempotencyStoreException when the store cannot be used; no job is started then
     */
    @Override
    public StartedJob start(String backupToken, BackupRequest request) {
        AtomicBoolean startedNow = new AtomicBoolean();
        try {
            BackupJob job = startOnce(new Delivery(backupToken, request), startedNow);
            return new StartedJob(job, startedNow.get() ? Outcome.STARTED : Outcome.DUPLICATE);
        } catch (software.amazon.lambda.powertools.idempotency.exceptions.IdempotencyAlreadyInProgressException e) {
            throw new IdempotencyAlreadyInProgressException(ErrorSource.IDEMPOTENCY_STORE,
                    "this request is already being processed by another invocation; retry after it completes", e);
        } catch (IdempotencyValidationException e) {
            throw new InvalidRequestException(ErrorSource.REQUEST, "IdempotencyToken: was already used for a "
                    + "different request (same resource, another field different); send this request with a new "
                    + "token", e);
        } catch (IdempotencyPersistenceLayerException | IdempotencyInconsistentStateException
                | IdempotencyConfigurationException | IdempotencyKeyException e) {
            throw new IdempotencyStoreException(ErrorSource.IDEMPOTENCY_STORE, "could not be used: " + rootMessage(e),
                    e);
        }
    }

    // startedNow tells a start from a result served by the store. The job is marked as this stack's inside the
    // idempotent call: if the mark cannot be written, the record is released and the retry, under the same token,
    // gets the same job from AWS Backup and marks it; a duplicate served from the store was marked the first time.
    @Idempotent
    protected BackupJob startOnce(@IdempotencyKey Delivery delivery, AtomicBoolean startedNow) {
        startedNow.set(true);
        BackupJob job = backupJobs.start(delivery.request(), delivery.backupToken());
        markers.mark(job, delivery.request());
        return job;
    }

    /** What Powertools stores a record for: keyed on the token, bound to the request. */
    record Delivery(String backupToken, BackupRequest request) {
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage();
    }
}
