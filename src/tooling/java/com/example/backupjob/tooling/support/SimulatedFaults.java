package com.example.backupjob.tooling.support;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.backup.model.StartBackupJobRequest;

/**
 * Makes the SDK itself fail while it starts the job of a resource named for it, as a library bug or a JVM error
 * would: registered for every client of the tests through the SDK's global interceptor list on the test classpath.
 */
public final class SimulatedFaults implements ExecutionInterceptor {

    /** A resource whose StartBackupJob call ends in a StackOverflowError. */
    public static final String ERROR_RESOURCE_ARN = "arn:aws:s3:::simulated-stack-overflow";
    /** A resource whose StartBackupJob call ends in an IllegalStateException. */
    public static final String BUG_RESOURCE_ARN = "arn:aws:s3:::simulated-bug";

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes executionAttributes) {
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
