package com.example.backupjob.config;

import java.time.Duration;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.backup.BackupClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.resourcegroupstaggingapi.ResourceGroupsTaggingApiClient;
import software.amazon.awssdk.services.sns.SnsClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Builds the AWS clients once per execution environment: region from AWS_REGION, the default credentials chain,
 * and the SDK's standard endpoint overrides (AWS_ENDPOINT_URL_BACKUP, AWS_ENDPOINT_URL_DYNAMODB,
 * AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API, AWS_ENDPOINT_URL_SQS, AWS_ENDPOINT_URL_SNS) left working. Each
 * function builds only the clients it calls.
 */
public final class AwsClients {

    /*
     * The JDK's URL connection client keeps the package small and starts fast; one call per record needs no pool.
     * Standard retry mode: 3 attempts with exponential backoff and full jitter for 5xx, throttling and connection
     * errors. A StartBackupJob call still throttled after them waits for another turn under SharedRequestRate, as
     * other callers in the account share the quota. Not the adaptive mode: its client-side rate limiter cannot keep
     * several environments under one rate, and after a throttling storm it kept an environment so slow that its
     * records timed out for over 20 s after the quota was back (README, Throughput and quotas). A single attempt is
     * capped at 5 s and a whole call, retries included, at 15 s or the time left in the invocation
     * (InvocationDeadline), so the function answers with an error instead of being killed.
     */
    public static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(5);

    private final SdkHttpClient httpClient = UrlConnectionHttpClient.builder()
            .connectionTimeout(CONNECT_TIMEOUT)
            .socketTimeout(READ_TIMEOUT)
            .build();

    private final ClientOverrideConfiguration overrides = ClientOverrideConfiguration.builder()
            .retryStrategy(RetryMode.STANDARD)
            .apiCallAttemptTimeout(ATTEMPT_TIMEOUT)
            .apiCallTimeout(CALL_TIMEOUT)
            .build();

    public BackupClient backup() {
        return BackupClient.builder().httpClient(httpClient).overrideConfiguration(overrides).build();
    }

    public DynamoDbClient dynamoDb() {
        return DynamoDbClient.builder().httpClient(httpClient).overrideConfiguration(overrides).build();
    }

    public ResourceGroupsTaggingApiClient tagging() {
        return ResourceGroupsTaggingApiClient.builder().httpClient(httpClient).overrideConfiguration(overrides).build();
    }

    public SqsClient sqs() {
        return SqsClient.builder().httpClient(httpClient).overrideConfiguration(overrides).build();
    }

    public SnsClient sns() {
        return SnsClient.builder().httpClient(httpClient).overrideConfiguration(overrides).build();
    }
}
