package com.example.backupjob.selection;

import com.example.backupjob.config.Configuration;
import com.example.backupjob.config.ConfigurationException;
import com.example.backupjob.request.RequestDefaults;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The tag selection function's settings, read once from the environment at start-up: the request defaults the
 * StartBackupJob function applies (BACKUP_VAULT_NAME, BACKUP_ROLE_ARN, BACKUP_DEFAULTS), to check the template of
 * every job before anything is queued; the queue to send the requests to; the queue that hands a run on to the next
 * invocation; the table of the runs' records; and how long a run's requests may wait.
 */
public record SelectionConfiguration(RequestDefaults requestDefaults, String requestQueueUrl,
        String continuationQueueUrl, String idempotencyTable, Duration requestMaxAge) {

    public static final String BACKUP_VAULT_NAME = Configuration.BACKUP_VAULT_NAME;
    public static final String BACKUP_ROLE_ARN = Configuration.BACKUP_ROLE_ARN;
    public static final String BACKUP_DEFAULTS = Configuration.BACKUP_DEFAULTS;
    public static final String REQUEST_QUEUE_URL = "REQUEST_QUEUE_URL";
    public static final String CONTINUATION_QUEUE_URL = "CONTINUATION_QUEUE_URL";
    public static final String IDEMPOTENCY_TABLE = Configuration.IDEMPOTENCY_TABLE;
    /** How long a request of a run may wait in the queue: the run's deadline is its start plus this. */
    public static final String REQUEST_MAX_AGE_MINUTES = "REQUEST_MAX_AGE_MINUTES";

    private static final int DEFAULT_REQUEST_MAX_AGE_MINUTES = 720;
    private static final int MIN_REQUEST_MAX_AGE_MINUTES = 15;
    private static final int MAX_REQUEST_MAX_AGE_MINUTES = 10_080;
    // https://sqs.<region>.amazonaws.com/<account>/<name>, or a local server's equivalent.
    private static final Pattern QUEUE_URL = Pattern.compile("^https?://[^/\\s]+/\\d{12}/[\\w-]{1,80}(\\.fifo)?$");

    /**
     * @throws ConfigurationException for the first variable that is missing or malformed
     */
    public static SelectionConfiguration fromEnvironment(Map<String, String> environment, ObjectMapper json) {
        return new SelectionConfiguration(Configuration.requestDefaults(environment, json),
                queueUrl(environment, REQUEST_QUEUE_URL, "the request queue"),
                queueUrl(environment, CONTINUATION_QUEUE_URL, "the queue that continues a run"),
                Configuration.idempotencyTable(environment), requestMaxAge(environment));
    }

    /**
     * REQUEST_MAX_AGE_MINUTES: a request carries its run's deadline to StartBackupJobFunction as its RunDeadline
     * attribute.
     *
     * @throws ConfigurationException when it is not a whole number of minutes in range
     */
    private static Duration requestMaxAge(Map<String, String> environment) {
        String value = environment.get(REQUEST_MAX_AGE_MINUTES);
        String text = value == null || value.isBlank() ? null : value.strip();
        if (text == null) {
            return Duration.ofMinutes(DEFAULT_REQUEST_MAX_AGE_MINUTES);
        }
        try {
            int minutes = Integer.parseInt(text);
            if (minutes >= MIN_REQUEST_MAX_AGE_MINUTES && minutes <= MAX_REQUEST_MAX_AGE_MINUTES) {
                return Duration.ofMinutes(minutes);
            }
        } catch (NumberFormatException e) {
            // Reported below, as an out-of-range value is.
        }
        throw new ConfigurationException(REQUEST_MAX_AGE_MINUTES, "must be a whole number of minutes from "
                + MIN_REQUEST_MAX_AGE_MINUTES + " to " + MAX_REQUEST_MAX_AGE_MINUTES);
    }

    private static String queueUrl(Map<String, String> environment, String variable, String queue) {
        String queueUrl = environment.get(variable);
        if (queueUrl == null || queueUrl.isBlank()) {
            throw new ConfigurationException(variable, "is not set: name the URL of " + queue);
        }
        if (!QUEUE_URL.matcher(queueUrl.strip()).matches()) {
            throw new ConfigurationException(variable, "is not an SQS queue URL "
                    + "(https://sqs.<region>.amazonaws.com/<account>/<queue name>)");
        }
        return queueUrl.strip();
    }
}
