package com.example.backupjob.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.example.backupjob.config.ConfigurationException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The run tracker's environment, read once at start-up; a bad value fails then, naming its variable. */
class TrackerConfigurationTest {

    @Test
    void anEmptyAlarmTopicLeavesTheSummariesInTheLogOnly() {
        TrackerConfiguration configuration = TrackerConfiguration.fromEnvironment(Map.of(
                "IDEMPOTENCY_TABLE", "runs", "ALARM_TOPIC_ARN", "", "AWS_REGION", "eu-west-1"));

        assertThat(configuration.alarmTopicArn()).isEmpty();
        assertThat(configuration.table()).isEqualTo("runs");
        assertThat(configuration.region()).isEqualTo("eu-west-1");
    }

    @Test
    void takesTheAlarmTopic() {
        assertThat(TrackerConfiguration.fromEnvironment(Map.of("IDEMPOTENCY_TABLE", "runs",
                "ALARM_TOPIC_ARN", "arn:aws:sns:eu-west-1:123456789012:alarms")).alarmTopicArn())
                .contains("arn:aws:sns:eu-west-1:123456789012:alarms");
    }

    @Test
    void failsAtStartUpOnATopicThatIsNoSnsTopicArn() {
        assertThatThrownBy(() -> TrackerConfiguration.fromEnvironment(Map.of("IDEMPOTENCY_TABLE", "runs",
                "ALARM_TOPIC_ARN", "alarms")))
                .isExactlyInstanceOf(ConfigurationException.class)
                .hasMessage("ALARM_TOPIC_ARN is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>)");
    }

    @Test
    void failsAtStartUpWithoutTheTable() {
        assertThatThrownBy(() -> TrackerConfiguration.fromEnvironment(Map.of()))
                .isExactlyInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("IDEMPOTENCY_TABLE is not set");
    }
}
