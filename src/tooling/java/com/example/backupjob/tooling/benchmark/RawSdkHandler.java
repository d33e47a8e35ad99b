package com.example.backupjob.tooling.benchmark;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.backup.BackupClient;
import software.amazon.awssdk.services.backup.model.StartBackupJobResponse;

/**
 * Benchmark baseline: the least a function that starts a backup job must do. It builds the SDK's BackupClient with the
 * function's HTTP client, timeouts and retry mode and calls StartBackupJob, with no Powertools, no validation, no
 * idempotency store and no Jackson; vault, role and resource come from the environment.
 */
public final class RawSdkHandler implements RequestStreamHandler {

    private final BackupClient backup = BackupClient.builder()
            .httpClient(UrlConnectionHttpClient.builder()
                    .connectionTimeout(Duration.ofSeconds(2))
                    .socketTimeout(Duration.ofSeconds(5))
                    .build())
            .overrideConfiguration(overrides -> overrides.retryStrategy(RetryMode.STANDARD)
                    .apiCallAttemptTimeout(Duration.ofSeconds(5))
                    .apiCallTimeout(Duration.ofSeconds(15)))
            .build();
    private final String vault = System.getenv().getOrDefault("BACKUP_VAULT_NAME", "Default");
    private final String role = System.getenv("BACKUP_ROLE_ARN");
    private final String resource = System.getenv().getOrDefault("BENCHMARK_RESOURCE_ARN",
            "arn:aws:dynamodb:eu-west-1:123456789012:table/orders");

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        input.readAllBytes();
        StartBackupJobResponse response = backup.startBackupJob(request -> request
                .backupVaultName(vault)
                .resourceArn(resource)
                .iamRoleArn(role)
                .idempotencyToken(UUID.randomUUID().toString()));
        output.write(("{\"BackupJobId\":\"" + response.backupJobId() + "\"}").getBytes(StandardCharsets.UTF_8));
    }
}
