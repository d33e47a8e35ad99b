package com.example.backupjob.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigurationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> VALID = Map.of(
            "BACKUP_VAULT_NAME", "Default",
            "BACKUP_ROLE_ARN", "arn:aws:iam::123456789012:role/backup",
            "IDEMPOTENCY_TABLE", "idempotency");

    private static final String RATE_RANGE =
            "START_BACKUP_JOB_RATE must be a number of calls per second from 0.1 to 1000";

    private static final String RECEIVE_COUNT_RANGE =
            "REQUEST_MAX_RECEIVE_COUNT must be the request queue's maxReceiveCount, a whole number from 1 to 1000";

    static Stream<Arguments> badEnvironments() {
        return Stream.of(
                arguments("IDEMPOTENCY_TABLE", null,
                        "IDEMPOTENCY_TABLE is not set: name the DynamoDB table of the idempotency store"),
                arguments("IDEMPOTENCY_TABLE", "my table", "IDEMPOTENCY_TABLE is not a DynamoDB table name"),
                arguments("IDEMPOTENCY_TTL", "1 hour", "IDEMPOTENCY_TTL is not an ISO-8601 duration such as PT1H"),
                arguments("IDEMPOTENCY_TTL", "PT0S", "IDEMPOTENCY_TTL must be a positive duration"),
                arguments("BACKUP_DEFAULTS", "{\"ResourceArn\": ", "BACKUP_DEFAULTS is not valid JSON"),
                arguments("BACKUP_DEFAULTS", "[]", "BACKUP_DEFAULTS is not a valid set of request defaults: "
                        + "must be a JSON object"),
                arguments("BACKUP_DEFAULTS", "{\"ResourceARN\": \"arn:aws:s3:::b\", \"StartWindowMinutes\": 5}",
                        "BACKUP_DEFAULTS is not a valid set of request defaults: 2 problems: ResourceARN: is not a "
                                + "known field (did you mean ResourceArn?); StartWindowMinutes: must be from 60 to "
                                + "52560000"),
                arguments("BACKUP_DEFAULTS", "{\"BackupVaultName\": \"Other\"}",
                        "BACKUP_VAULT_NAME and BACKUP_DEFAULTS both set BackupVaultName: set it in one place"),
                arguments("BACKUP_VAULT_NAME", "my vault", "BACKUP_VAULT_NAME is not valid: BackupVaultName: must be "
                        + "2 to 50 characters: letters, digits, '-' or '_'"),
                arguments("BACKUP_ROLE_ARN", "backup-role", "BACKUP_ROLE_ARN is not valid: IamRoleArn: must be an "
                        + "IAM role ARN (arn:aws:iam::<account>:role/<name>)"),
                arguments("DRY_RUN", "yes", "DRY_RUN must be true or false"),
                arguments("DRY_RUN", "TRUE", "DRY_RUN must be true or false"),
                arguments("START_BACKUP_JOB_RATE", "five", RATE_RANGE),
                arguments("START_BACKUP_JOB_RATE", "0", RATE_RANGE),
                arguments("START_BACKUP_JOB_RATE", "NaN", RATE_RANGE),
                arguments("START_BACKUP_JOB_RATE", "1001", RATE_RANGE),
                arguments("REQUEST_MAX_RECEIVE_COUNT", "three", RECEIVE_COUNT_RANGE),
                arguments("REQUEST_MAX_RECEIVE_COUNT", "0", RECEIVE_COUNT_RANGE),
                arguments("REQUEST_MAX_RECEIVE_COUNT", "1001", RECEIVE_COUNT_RANGE));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("badEnvironments")
    void failsAtStartUpNamingTheVariable(String variable, String value, String message) {
        Map<String, String> environment = new HashMap<>(VALID);
        environment.put(variable, value);

        assertThatThrownBy(() -> Configuration.fromEnvironment(environment, JSON))
                .isExactlyInstanceOf(ConfigurationException.class)
                .hasMessage(message);
    }

    @Test
    void remembersRequestsForOneHourUnlessToldOtherwise() {
        assertThat(Configuration.fromEnvironment(VALID, JSON).idempotencyTtl()).isEqualTo(Duration.ofHours(1));

        Map<String, String> environment = new HashMap<>(VALID);
        environment.put("IDEMPOTENCY_TTL", "P1D");
        assertThat(Configuration.fromEnvironment(environment, JSON).idempotencyTtl()).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void sharesAwsBackupsDefaultQuotaOfFiveCallsPerSecondUnlessToldOtherwise() {
        assertThat(Configuration.fromEnvironment(VALID, JSON).startBackupJobRate()).isEqualTo(5);

        Map<String, String> environment = new HashMap<>(VALID);
        environment.put("START_BACKUP_JOB_RATE", "2.5");
        assertThat(Configuration.fromEnvironment(environment, JSON).startBackupJobRate()).isEqualTo(2.5);
    }

    @Test
    void treatsBlankVariablesAsUnset() {
        Map<String, String> environment = new HashMap<>(VALID);
        environment.put("BACKUP_DEFAULTS", " ");
        environment.put("IDEMPOTENCY_TTL", "");

        Configuration configuration = Configuration.fromEnvironment(environment, JSON);

        assertThat(configuration.idempotencyTtl()).isEqualTo(Duration.ofHours(1));
        assertThat(configuration.idempotencyTable()).isEqualTo("idempotency");
    }
}
