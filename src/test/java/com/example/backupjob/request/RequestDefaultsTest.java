package com.example.backupjob.request;

import static com.example.backupjob.tooling.support.LocalAws.invoke;
import static org.assertj.core.api.Assertions.assertThat;

import com.example.backupjob.config.Configuration;
import com.example.backupjob.tooling.support.LocalAws;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RequestDefaultsTest {

    private static final String DEFAULTS = """
            {"ResourceArn": "arn:aws:dynamodb:eu-west-1:123456789012:table/orders",
             "StartWindowMinutes": 120, "CompleteWindowMinutes": 600, "Index": "DISABLED",
             "Lifecycle": {"DeleteAfterDays": 35},
             "BackupOptions": {"WindowsVSS": "disabled"},
             "RecoveryPointTags": {"owner": "platform", "created-by": "start-backup-job"}}""";

    @RegisterExtension
    final LocalAws aws = new LocalAws();

    @Test
    void appliesEveryDefaultToAnEmptyRequest() {
        var handler = aws.handler(Map.of(Configuration.BACKUP_DEFAULTS, DEFAULTS));

        invoke(handler, "{}").json();

        JsonNode call = aws.backupCalls().getFirst();
        assertThat(call.path("BackupVaultName").asText()).isEqualTo(LocalAws.VAULT);
        assertThat(call.path("IamRoleArn").asText()).isEqualTo(LocalAws.ROLE_ARN);
        assertThat(call.path("ResourceArn").asText()).isEqualTo("arn:aws:dynamodb:eu-west-1:123456789012:table/orders");
        assertThat(call.path("StartWindowMinutes").asLong()).isEqualTo(120);
        assertThat(call.path("CompleteWindowMinutes").asLong()).isEqualTo(600);
        assertThat(call.path("Index").asText()).isEqualTo("DISABLED");
        assertThat(call.path("Lifecycle")).isEqualTo(LocalAws.parse("{\"DeleteAfterDays\": 35}"));
        assertThat(call.path("BackupOptions")).isEqualTo(LocalAws.parse("{\"WindowsVSS\": \"disabled\"}"));
        assertThat(call.path("RecoveryPointTags"))
                .isEqualTo(LocalAws.parse("{\"owner\": \"platform\", \"created-by\": \"start-backup-job\"}"));
    }

    @Test
    void requestOverridesDefaultsFieldByFieldAndMergesTags() {
        var handler = aws.handler(Map.of(Configuration.BACKUP_DEFAULTS, DEFAULTS));

        invoke(handler, """
                {"BackupVaultName": "Production", "StartWindowMinutes": 60,
                 "Lifecycle": {"MoveToColdStorageAfterDays": 10, "DeleteAfterDays": 100},
                 "RecoveryPointTags": {"owner": "payments", "ticket": "OPS-42"}}""").json();

        JsonNode call = aws.backupCalls().getFirst();
        assertThat(call.path("BackupVaultName").asText()).isEqualTo("Production");
        assertThat(call.path("StartWindowMinutes").asLong()).isEqualTo(60);
        assertThat(call.path("CompleteWindowMinutes").asLong()).isEqualTo(600);
        assertThat(call.path("Lifecycle"))
                .isEqualTo(LocalAws.parse("{\"MoveToColdStorageAfterDays\": 10, \"DeleteAfterDays\": 100}"));
        assertThat(call.path("RecoveryPointTags")).isEqualTo(LocalAws.parse(
                "{\"owner\": \"payments\", \"created-by\": \"start-backup-job\", \"ticket\": \"OPS-42\"}"));
    }

    @Test
    void sendsNoOptionalFieldThatNeitherRequestNorDefaultsGive() {
        invoke(aws.handler(), "{}").json();

        JsonNode call = aws.backupCalls().getFirst();
        assertThat(call.fieldNames()).toIterable().containsExactlyInAnyOrder(
                "BackupVaultName", "ResourceArn", "IamRoleArn", "IdempotencyToken");
    }
}
