package com.example.backupjob.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.example.backupjob.config.ConfigurationException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CopyConfigurationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SOURCE = "arn:aws:backup:eu-west-1:123456789012:backup-vault:Default";
    private static final String OTHER_REGION = "arn:aws:backup:eu-central-1:123456789012:backup-vault:disaster-recovery";
    private static final String OTHER_ACCOUNT = "arn:aws:backup:eu-west-1:210987654321:backup-vault:isolated-copies";
    private static final Map<String, String> VALID = Map.of(
            "BACKUP_VAULT_ARN", SOURCE,
            "BACKUP_ROLE_ARN", "arn:aws:iam::123456789012:role/backup",
            "IDEMPOTENCY_TABLE", "idempotency",
            "COPY_DESTINATION_VAULT_ARNS", OTHER_REGION + "," + OTHER_ACCOUNT);
    private static final String RATE_RANGE = "START_COPY_JOB_RATE must be a number of calls per second from 0.1 to 1000";

    static Stream<Arguments> badEnvironments() {
        return Stream.of(
                arguments("BACKUP_VAULT_ARN", null, "BACKUP_VAULT_ARN is not set: name the ARN of the vault copies "
                        + "come from"),
                arguments("BACKUP_VAULT_ARN", "Default", "BACKUP_VAULT_ARN is not a backup vault ARN "
                        + "(arn:<partition>:backup:<region>:<account>:backup-vault:<name>)"),
                arguments("BACKUP_ROLE_ARN", "backup", "BACKUP_ROLE_ARN is not an IAM role ARN "
                        + "(arn:aws:iam::<account>:role/<name>)"),
                arguments("IDEMPOTENCY_TABLE", null,
                        "IDEMPOTENCY_TABLE is not set: name the DynamoDB table of the idempotency store"),
                arguments("COPY_DESTINATION_VAULT_ARNS", null, "COPY_DESTINATION_VAULT_ARNS is not set: name at least "
                        + "one destination vault ARN, comma-separated"),
                arguments("COPY_DESTINATION_VAULT_ARNS", OTHER_REGION + ",arn:aws:s3:::bucket",
                        "COPY_DESTINATION_VAULT_ARNS is not valid: item 2 is not a backup vault ARN "
                                + "(arn:<partition>:backup:<region>:<account>:backup-vault:<name>)"),
                arguments("COPY_DESTINATION_VAULT_ARNS", "arn:aws:backup:eu-central-1:123456789012:backup-vault:a b",
                        "COPY_DESTINATION_VAULT_ARNS is not valid: item 1 is not a backup vault ARN "
                                + "(arn:<partition>:backup:<region>:<account>:backup-vault:<name>)"),
                arguments("COPY_DESTINATION_VAULT_ARNS", SOURCE, "COPY_DESTINATION_VAULT_ARNS is not valid: item 1 is "
                        + "the source vault (BACKUP_VAULT_ARN): a copy must go to another Region or account"),
                arguments("COPY_DESTINATION_VAULT_ARNS", OTHER_REGION + "," + OTHER_REGION,
                        "COPY_DESTINATION_VAULT_ARNS is not valid: item 2 repeats a destination"),
                arguments("COPY_LIFECYCLE", "{\"DeleteAfterDays\": ", "COPY_LIFECYCLE is not valid JSON"),
                arguments("COPY_LIFECYCLE", "35", "COPY_LIFECYCLE must be a JSON object, e.g. {\"DeleteAfterDays\":35}"),
                arguments("COPY_LIFECYCLE", "{\"MoveToColdStorageAfterDays\": 30, \"DeleteAfterDays\": 60}",
                        "COPY_LIFECYCLE is not a valid lifecycle: Lifecycle.DeleteAfterDays: must be at least "
                                + "MoveToColdStorageAfterDays + 90"),
                arguments("COPY_LIFECYCLE", "{\"DeleteAfterDays\": 0}",
                        "COPY_LIFECYCLE is not a valid lifecycle: Lifecycle.DeleteAfterDays: must be from 1 to 36500"),
                arguments("COPY_LIFECYCLE", "{\"DeleteAfterEvent\": \"DELETE_AFTER_COPY\"}",
                        "COPY_LIFECYCLE is not a valid lifecycle: Lifecycle.DeleteAfterEvent: is not valid as input"),
                arguments("COPY_LIFECYCLE", "{\"DeleteAfterDay\": 35}", "COPY_LIFECYCLE is not a valid lifecycle: "
                        + "Lifecycle.DeleteAfterDay: is not a known field"),
                arguments("COPY_LIFECYCLE", "{\"DeleteAfterDays\": \"35\"}", "COPY_LIFECYCLE is not a valid "
                        + "lifecycle: Lifecycle.DeleteAfterDays: must be an integer, not a string"),
                arguments("START_COPY_JOB_RATE", "five", RATE_RANGE),
                arguments("START_COPY_JOB_RATE", "0", RATE_RANGE),
                arguments("START_COPY_JOB_RATE", "1001", RATE_RANGE));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("badEnvironments")
    void failsAtStartUpNamingTheVariable(String variable, String value, String message) {
        Map<String, String> environment = new HashMap<>(VALID);
        environment.put(variable, value);

        assertThatThrownBy(() -> CopyConfiguration.fromEnvironment(environment, JSON))
                .isExactlyInstanceOf(ConfigurationException.class)
                .hasMessage(message);
    }

    @Test
    void readsEveryDestinationInOrderTheSourceVaultsNameAndTheDefaults() {
        CopyConfiguration configuration = CopyConfiguration.fromEnvironment(VALID, JSON);

        assertThat(configuration.destinationVaultArns()).isEqualTo(List.of(OTHER_REGION, OTHER_ACCOUNT));
        assertThat(configuration.sourceVaultName()).isEqualTo("Default");
        assertThat(configuration.lifecycle()).as("{} or unset: AWS Backup's own").isNull();
        assertThat(configuration.startCopyJobRate()).isEqualTo(5);
    }

    @Test
    void readsTheCopiesLifecycle() {
        Map<String, String> environment = new HashMap<>(VALID);
        environment.put("COPY_LIFECYCLE", "{\"MoveToColdStorageAfterDays\": 30, \"DeleteAfterDays\": 365}");

        CopyConfiguration configuration = CopyConfiguration.fromEnvironment(environment, JSON);

        assertThat(configuration.lifecycle().moveToColdStorageAfterDays()).isEqualTo(30);
        assertThat(configuration.lifecycle().deleteAfterDays()).isEqualTo(365);
    }
}
