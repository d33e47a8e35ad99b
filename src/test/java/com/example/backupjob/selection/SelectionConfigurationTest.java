package com.example.backupjob.selection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.example.backupjob.config.ConfigurationException;
import com.example.backupjob.tooling.support.LocalAws;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SelectionConfigurationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/start-backup-job-requests";

    @Test
    void readsTheQueueAndTheRequestDefaults() {
        SelectionConfiguration configuration = SelectionConfiguration.fromEnvironment(environment(Map.of()), JSON);

        assertThat(configuration.requestQueueUrl()).isEqualTo(QUEUE_URL);
        assertThat(configuration.requestDefaults()).isNotNull();
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
                SelectionConfiguration.REQUEST_QUEUE_URL, QUEUE_URL));
        environment.putAll(overrides);
        return environment;
    }
}
