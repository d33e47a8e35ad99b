package com.example.backupjob.backup;

import static com.example.backupjob.tooling.support.LocalAws.event;
import static com.example.backupjob.tooling.support.LocalAws.invoke;
import static org.assertj.core.api.Assertions.assertThat;

import com.example.backupjob.config.Configuration;
import com.example.backupjob.error.InvalidParameterValueException;
import com.example.backupjob.tooling.support.LocalAws;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DryRunTest {

    @RegisterExtension
    final LocalAws aws = new LocalAws();

    @Test
    void logsTheExactRequestAndStartsNothing() {
        var handler = aws.handler(Map.of(Configuration.DRY_RUN, "true"));

        JsonNode response = invoke(handler, event("step-functions-input.json")).json();

        assertThat(response.path("BackupJobId").asText()).startsWith("dry-run-");
        assertThat(aws.backupCalls()).isEmpty();
        assertThat(aws.idempotencyRecords()).isEmpty();
        JsonNode line = aws.logLines().stream()
                .filter(log -> log.path("message").asText().equals("Dry run: this request would be sent to AWS Backup"))
                .findFirst().orElseThrow();
        assertThat(line.path("startBackupJobRequest").asText())
                .contains("BackupVaultName=Production", "ResourceArn=arn:aws:ec2:eu-west-1:123456789012:volume/"
                        + "vol-0abcd1234ef567890", "StartWindowMinutes=60", "CompleteWindowMinutes=720", "Index=ENABLED")
                .doesNotContain("payments");
    }

    @Test
    void stillRejectsAnInvalidRequest() {
        var handler = aws.handler(Map.of(Configuration.DRY_RUN, "true"));

        LocalAws.Outcome outcome = invoke(handler, "{\"StartWindowMinutes\": 5}");

        assertThat(outcome.error()).isExactlyInstanceOf(InvalidParameterValueException.class)
                .hasMessage("StartWindowMinutes: must be from 60 to 52560000");
    }
}
