package com.example.backupjob.logging;

import static com.example.backupjob.tooling.support.LocalAws.event;
import static com.example.backupjob.tooling.support.LocalAws.invoke;
import static org.assertj.core.api.Assertions.assertThat;

import com.example.backupjob.handler.StartBackupJobHandler;
import com.example.backupjob.tooling.support.LambdaTestContext;
import com.example.backupjob.tooling.support.LocalAws;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class InvocationLoggingTest {

    @RegisterExtension
    final LocalAws aws = new LocalAws();

    @Test
    void logsOneInfoLinePerStartedJobCorrelatedByTheEventId() {
        JsonNode response = invoke(aws.handler(), event("eventbridge-event.json")).json();

        assertThat(functionLines()).singleElement().satisfies(line -> {
            assertThat(line.path("level").asText()).isEqualTo("INFO");
            assertThat(line.path("message").asText()).isEqualTo("Backup job started");
            assertThat(line.path("BackupJobId")).isEqualTo(response.path("BackupJobId"));
            assertThat(line.path("ResourceArn").asText())
                    .isEqualTo("arn:aws:elasticfilesystem:eu-west-1:123456789012:file-system/fs-0123456789abcdef0");
            assertThat(line.path("BackupVaultName").asText()).isEqualTo(LocalAws.VAULT);
            assertThat(line.path("idempotencyKey").asText()).isEqualTo("7bf73129-1428-4cd3-a780-95db273d1602");
            assertThat(line.path("correlation_id").asText()).isEqualTo("7bf73129-1428-4cd3-a780-95db273d1602");
            assertThat(line.path("function_name").asText()).isEqualTo("start-backup-job");
        });
    }

    @Test
    void logsADuplicateServedFromTheStore() {
        StartBackupJobHandler handler = aws.handler();
        JsonNode response = invoke(handler, event("scheduler-input.json")).json();

        invoke(handler, event("scheduler-input.json")).json();

        assertThat(functionLines()).extracting(line -> line.path("message").asText()).containsExactly(
                "Backup job started", "Backup job already started for this request");
        assertThat(functionLines().get(1).path("BackupJobId")).isEqualTo(response.path("BackupJobId"));
    }

    @Test
    void correlatesPlainRequestsByTheLambdaRequestId() {
        LambdaTestContext context = LambdaTestContext.create();

        invoke(aws.handler(), event("scheduler-input.json"), context).json();

        assertThat(functionLines()).singleElement().satisfies(line -> assertThat(line.path("correlation_id").asText())
                .isEqualTo(context.getAwsRequestId()));
    }

    @Test
    void correlatesEachSqsRecordByItsMessageIdAndLogsWhyOneFailed() {
        invoke(aws.handler(), event("sqs-batch.json")).json();

        List<JsonNode> lines = functionLines();
        assertThat(lines).extracting(line -> line.path("correlation_id").asText()).containsExactlyInAnyOrder(
                "9d3c1f52-8a41-4f6e-b2a7-0c5e6d7f8a91", "4e6f8a0b-2c4d-4e6f-8a0b-2c4d6e8f0a1b",
                "b1a2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", "f0e1d2c3-b4a5-4968-8776-655443322110");
        assertThat(lines).filteredOn(line -> line.path("correlation_id").asText()
                .equals("b1a2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d")).singleElement().satisfies(line -> {
                    assertThat(line.path("level").asText()).isEqualTo("WARN");
                    assertThat(line.path("errorType").asText()).isEqualTo("InvalidRequestException");
                    assertThat(line.path("errorSource").asText()).isEqualTo("Request");
                    assertThat(line.path("message").asText()).isEqualTo("Backup request rejected; a retry cannot "
                            + "help until it is fixed: ResourceARN: is not a known field (did you mean ResourceArn?)");
                });
    }

    @Test
    void logsAFailedRequestAsAnErrorThatSaysARetryCanHelp() {
        aws.answerBackupWith(LocalAws.serviceError(400, "LimitExceededException", "Too many jobs"));

        invoke(aws.handler(), event("scheduler-input.json"));

        assertThat(functionLines()).singleElement().satisfies(line -> {
            assertThat(line.path("level").asText()).isEqualTo("ERROR");
            assertThat(line.path("errorType").asText()).isEqualTo("LimitExceededException");
            assertThat(line.path("errorSource").asText()).isEqualTo("AWS Backup");
            assertThat(line.path("message").asText())
                    .isEqualTo("Backup request failed; a retry can help: AWS Backup: Too many jobs");
        });
    }

    @Test
    void neverLogsTagValues() {
        invoke(aws.handler(), event("step-functions-input.json")).json();

        assertThat(aws.logLines()).isNotEmpty()
                .allSatisfy(line -> assertThat(line.toString()).doesNotContain("payments"));
    }

    private List<JsonNode> functionLines() {
        return aws.logLines().stream().filter(line -> line.has("function_name")
                && !line.path("function_name").isNull()).toList();
    }
}
