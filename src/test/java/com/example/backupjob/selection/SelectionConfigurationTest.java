package com.example.backupjob.selection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.example.backupjob.config.ConfigurationException;
import com.example.backupjob.tooling.support.LocalAws;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.params.ParameterizedTest;

class SelectionConfigurationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/start-backup-job-requests";
    private static final String CONTINUATION_URL =
            "https://sqs.eu-west-1.amazonaws.com/123456789012/start-backup-job-continuations";

    @Test
    void readsTheQueuesTheTableTheMaximumAgeAndTheRequestDefaults() {
        SelectionConfiguration configuration = SelectionConfiguration.fromEnvironment(environment(Map.of()), JSON);

        assertThat(configuration.requestQueueUrl()).isEqualTo(QUEUE_URL);
        assertThat(configuration.continuationQueueUrl()).isEqualTo(CONTINUATION_URL);
        assertThat(configuration.idempotencyTable()).isEqualTo("start-backup-job-idempotency");
        assertThat(configuration.requestMaxAge()).isEqualTo(Duration.ofHours(12));
        assertThat(configuration.requestDefaults()).isNotNull();
    }

    @Test
    void missingContinuationQueueUrlFailsNamingTheVariable() {
        assertThatThrownBy(() -> SelectionConfiguration.fromEnvironment(
                environment(Map.of(SelectionConfiguration.CONTINUATION_QUEUE_URL, "")), JSON))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("CONTINUATION_QUEUE_URL is not set: name the URL of the queue that continues a run");
    }

    @Test
    void missingTableFailsNamingTheVariable() {
        assertThatThrownBy(() -> SelectionConfiguration.fromEnvironment(
                environment(Map.of(SelectionConfiguration.IDEMPOTENCY_TABLE, "")), JSON))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("IDEMPOTENCY_TABLE is not set: name the DynamoDB table of the idempotency store");
    }

    @ParameterizedTest(name = "REQUEST_MAX_AGE_MINUTES={0}")
    @ValueSource(strings = {"5", "12h", "14", "10081", "90.5"})
    void maximumAgeOutOfRangeFailsNamingTheVariable(String minutes) {
        assertThatThrownBy(() -> SelectionConfiguration.fromEnvironment(
                environment(Map.of(SelectionConfiguration.REQUEST_MAX_AGE_MINUTES, minutes)), JSON))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("REQUEST_MAX_AGE_MINUTES must be a whole number of minutes from 15 to 10080");
    }

    @Test
    void missingQueueUrlFailsNamingTheVariable() {
        assertThatThrownBy(() -> SelectionConfiguration.fromEnvironment(
                environment(Map.of(SelectionConfiguration.REQUEST_QUEUE_URL, " ")), JSON))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("REQUEST_QUEUE_URL is not set: name the URL of the request queue");
    }

    @Test
    void queueArnInsteadOfItsUrlFailsNamingTheVariable() {
        assertThatThrownBy(() -> SelectionConfiguration.fromEnvironment(environment(Map.of(
                SelectionConfiguration.REQUEST_QUEUE_URL, "arn:aws:sqs:eu-west-1:123456789012:requests")), JSON))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("REQUEST_QUEUE_URL is not an SQS queue URL");
    }

    @Test
    void malformedBackupDefaultsFailsNamingTheVariable() {
        assertThatThrownBy(() -> SelectionConfiguration.fromEnvironment(environment(Map.of(
                SelectionConfiguration.BACKUP_DEFAULTS, "{\"StartWindowMinutes\": 1}")), JSON))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("BACKUP_DEFAULTS is not a valid set of request defaults: "
                        + "StartWindowMinutes: must be from 60 to 52560000");
    }

    private static Map<String, String> environment(Map<String, String> overrides) {
        Map<String, String> environment = new HashMap<>(Map.of(
                SelectionConfiguration.BACKUP_VAULT_NAME, LocalAws.VAULT,
                SelectionConfiguration.BACKUP_ROLE_ARN, LocalAws.ROLE_ARN,
                SelectionConfiguration.REQUEST_QUEUE_URL, QUEUE_URL,
                SelectionConfiguration.CONTINUATION_QUEUE_URL, CONTINUATION_URL,
                SelectionConfiguration.IDEMPOTENCY_TABLE, "start-backup-job-idempotency"));
        environment.putAll(overrides);
        return environment;
    }
}
