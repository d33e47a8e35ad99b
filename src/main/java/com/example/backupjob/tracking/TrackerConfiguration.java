package com.example.backupjob.tracking;

import com.example.backupjob.config.Configuration;
import com.example.backupjob.config.ConfigurationException;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The run tracker's settings, read once from the environment at start-up: the table that holds the runs' records
 * (the idempotency table), the topic their summaries go to (none: the summaries are only logged), and the Region,
 * for the command the summary gives to read the record.
 */
public record TrackerConfiguration(String table, Optional<String> alarmTopicArn, String region) {

    public static final String IDEMPOTENCY_TABLE = Configuration.IDEMPOTENCY_TABLE;
    /** The SNS topic of AlarmTopicArn; empty or unset leaves the summaries in the log only. */
    public static final String ALARM_TOPIC_ARN = "ALARM_TOPIC_ARN";

    private static final Pattern TOPIC_ARN = Pattern.compile("^arn:aws[a-z-]*:sns:[a-z0-9-]+:\\d{12}:[\\w-]{1,256}$");

    /**
     * @throws ConfigurationException for the first variable that is missing or malformed
     */
    public static TrackerConfiguration fromEnvironment(Map<String, String> environment) {
        String topic = environment.get(ALARM_TOPIC_ARN);
        if (topic != null && !topic.isBlank() && !TOPIC_ARN.matcher(topic.strip()).matches()) {
            throw new ConfigurationException(ALARM_TOPIC_ARN, "is not an SNS topic ARN "
                    + "(arn:aws:sns:<region>:<account>:<topic>)");
        }
        // Lambda sets AWS_REGION; it only completes the command in the summary.
        String region = environment.getOrDefault("AWS_REGION", "");
        return new TrackerConfiguration(Configuration.idempotencyTable(environment),
                topic == null || topic.isBlank() ? Optional.empty() : Optional.of(topic.strip()), region);
    }
}
