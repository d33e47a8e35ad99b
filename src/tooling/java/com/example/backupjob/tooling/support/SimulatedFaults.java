package com.example.backupjob.tooling.support;

import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.backup.model.StartBackupJobRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * Makes the SDK itself fail while it starts the job of a resource named for it, as a library bug or a JVM error
 * would, or while it saves a tag selection run's position, as DynamoDB out of reach would: registered for every
 * client of the tests through the SDK's global interceptor list on the test classpath.
 */
public final class SimulatedFaults implements ExecutionInterceptor {

    private static volatile String failingRun;
    private static final AtomicInteger RUN_SAVES_LEFT = new AtomicInteger();

    /**
     * From now on, the position saves of the run with this SelectionKey fail once {@code succeeding} of them have
     * succeeded: the UpdateItem never reaches DynamoDB and the SDK reports a client error, as for a network failure.
     */
    public static void failRunSavesAfter(String selectionKey, int succeeding) {
        RUN_SAVES_LEFT.set(succeeding);
        failingRun = "run#" + selectionKey;
    }

    /** No run's saves fail any more. */
    public static void stopFailingRunSaves() {
        failingRun = null;
    }

    /** A resource whose StartBackupJob call ends in a StackOverflowError. */
    public static final String ERROR_RESOURCE_ARN = "arn:aws:s3:::simulated-stack-overflow";
    /** A resource whose StartBackupJob call ends in an IllegalStateException. */
    public static final String BUG_RESOURCE_ARN = "arn:aws:s3:::simulated-bug";

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes executionAttributes) {
        String run = failingRun;
        if (run != null && context.request() instanceof UpdateItemRequest update
                && run.equals(update.key().get("id").s()) && update.updateExpression().contains("#saves")
                && RUN_SAVES_LEFT.getAndDecrement() <= 0) {
            throw SdkClientException.create("simulated: DynamoDB could not be reached");
        }
        if (context.request() instanceof StartBackupJobRequest request) {
            if (ERROR_RESOURCE_ARN.equals(request.resourceArn())) {
                throw new StackOverflowError("simulated");
            }
            if (BUG_RESOURCE_ARN.equals(request.resourceArn())) {
                throw new IllegalStateException("simulated bug quoting the request: secret-tag-value");
            }
        }
    }
}
