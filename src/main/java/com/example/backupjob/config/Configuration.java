package com.example.backupjob.config;

import com.example.backupjob.request.RequestDefaults;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.regex.Pattern;

/** The function's settings, read once from the environment at start-up. */
public record Configuration(RequestDefaults requestDefaults, String idempotencyTable, Duration idempotencyTtl,
        boolean dryRun, double startBackupJobRate, int requestMaxReceiveCount) {

    public static final String BACKUP_VAULT_NAME = "BACKUP_VAULT_NAME";
    public static final String BACKUP_ROLE_ARN = "BACKUP_ROLE_ARN";
    public static final String BACKUP_DEFAULTS = "BACKUP_DEFAULTS";
    public static final String IDEMPOTENCY_TABLE = "IDEMPOTENCY_TABLE";
    public static final String IDEMPOTENCY_TTL = "IDEMPOTENCY_TTL";
    public static final String DRY_RUN = "DRY_RUN";
    public static final String START_BACKUP_JOB_RATE = "START_BACKUP_JOB_RATE";
    /** The request queue's maxReceiveCount: the delivery after which a failed request goes to the dead-letter queue. */
    public static final String REQUEST_MAX_RECEIVE_COUNT = "REQUEST_MAX_RECEIVE_COUNT";

    private static final Duration DEFAULT_IDEMPOTENCY_TTL = Duration.ofHours(1);
    /** AWS Backup's default StartBackupJob quota per account and Region, in calls per second. */
    private static final double DEFAULT_START_BACKUP_JOB_RATE = 5;
    private static final double MAX_START_BACKUP_JOB_RATE = 1000;
    /** What the template's request queue sets. */
    private static final int DEFAULT_REQUEST_MAX_RECEIVE_COUNT = 3;
    /** SQS accepts a maxReceiveCount from 1 to 1000. */
    private static final int MAX_REQUEST_MAX_RECEIVE_COUNT = 1000;
    private static final Pattern TABLE_NAME = Pattern.compile("^[a-zA-Z0-9_.-]{3,255}$");
    /** 12 hours: a run of 100,000 resources drains in about 5.6 hours at the default 5 StartBackupJob calls a second. */
    /** 7 days, less than the request queue keeps a message (8 days), so that a stale request is counted, not lost. */

    /**
     * @throws ConfigurationException for the first variable that is missing or malformed
     */
    public static Configuration fromEnvironment(Map<String, String> environment, ObjectMapper json) {
        return new Configuration(requestDefaults(environment, json), idempotencyTable(environment),
                idempotencyTtl(environment), dryRun(environment), startBackupJobRate(environment),
                requestMaxReceiveCount(environment));
    }


    /**
     * The request defaults of BACKUP_DEFAULTS, BACKUP_VAULT_NAME and BACKUP_ROLE_ARN, which the tag selection
     * function reads too, to check the template of its jobs as this function will check each of them.
     *
     * @throws ConfigurationException for the first of these variables that is malformed
     */
    public static RequestDefaults requestDefaults(Map<String, String> environment, ObjectMapper json) {
        ObjectNode defaults = backupDefaults(environment, json);
        addDefault(defaults, environment, BACKUP_VAULT_NAME, "BackupVaultName");
        addDefault(defaults, environment, BACKUP_ROLE_ARN, "IamRoleArn");
        return RequestDefaults.of(defaults);
    }

    private static double startBackupJobRate(Map<String, String> environment) {
        String text = value(environment, START_BACKUP_JOB_RATE);
        if (text == null) {
            return DEFAULT_START_BACKUP_JOB_RATE;
        }
        try {
            double rate = Double.parseDouble(text);
            if (rate >= 0.1 && rate <= MAX_START_BACKUP_JOB_RATE) {
                return rate;
            }
        } catch (NumberFormatException e) {
            // Reported below, as an out-of-range value is.
        }
        throw new ConfigurationException(START_BACKUP_JOB_RATE, "must be a number of calls per second from 0.1 to "
                + (int) MAX_START_BACKUP_JOB_RATE);
    }

    private static int requestMaxReceiveCount(Map<String, String> environment) {
        String text = value(environment, REQUEST_MAX_RECEIVE_COUNT);
        if (text == null) {
            return DEFAULT_REQUEST_MAX_RECEIVE_COUNT;
        }
        try {
            int count = Integer.parseInt(text);
            if (count >= 1 && count <= MAX_REQUEST_MAX_RECEIVE_COUNT) {
                return count;
            }
        } catch (NumberFormatException e) {
            // Reported below, as an out-of-range value is.
        }
        throw new ConfigurationException(REQUEST_MAX_RECEIVE_COUNT, "must be the request queue's maxReceiveCount, "
                + "a whole number from 1 to " + MAX_REQUEST_MAX_RECEIVE_COUNT);
    }

    private static boolean dryRun(Map<String, String> environment) {
        String text = value(environment, DRY_RUN);
        if (text == null || text.equals("false")) {
            return false;
        }
        if (text.equals("true")) {
            return true;
        }
        throw new ConfigurationException(DRY_RUN, "must be true or false");
    }

    private static ObjectNode backupDefaults(Map<String, String> environment, ObjectMapper json) {
        String text = value(environment, BACKUP_DEFAULTS);
        if (text == null) {
            return json.createObjectNode();
        }
        try {
            JsonNode defaults = json.readTree(text);
            RequestDefaults.of(defaults);
            return (ObjectNode) defaults;
        } catch (JacksonException e) {
            throw new ConfigurationException(BACKUP_DEFAULTS, "is not valid JSON");
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(BACKUP_DEFAULTS, "is not a valid set of request defaults: "
                    + e.getMessage());
        }
    }

    private static void addDefault(ObjectNode defaults, Map<String, String> environment, String variable,
            String field) {
        String text = value(environment, variable);
        if (text == null) {
            return;
        }
        if (defaults.has(field)) {
            throw new ConfigurationException(variable, "and " + BACKUP_DEFAULTS + " both set " + field
                    + ": set it in one place");
        }
        ObjectNode single = defaults.objectNode().put(field, text);
        try {
            RequestDefaults.of(single);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(variable, "is not valid: " + e.getMessage());
        }
        defaults.setAll(single);
    }

    /**
     * IDEMPOTENCY_TABLE, which the tag selection function reads too: its runs' records live in the same table.
     *
     * @throws ConfigurationException when it is missing or not a table name
     */
    public static String idempotencyTable(Map<String, String> environment) {
        String table = value(environment, IDEMPOTENCY_TABLE);
        if (table == null) {
            throw new ConfigurationException(IDEMPOTENCY_TABLE, "is not set: name the DynamoDB table of the "
                    + "idempotency store");
        }
        if (!TABLE_NAME.matcher(table).matches()) {
            throw new ConfigurationException(IDEMPOTENCY_TABLE, "is not a DynamoDB table name");
        }
        return table;
    }

    private static Duration idempotencyTtl(Map<String, String> environment) {
        String text = value(environment, IDEMPOTENCY_TTL);
        if (text == null) {
            return DEFAULT_IDEMPOTENCY_TTL;
        }
        try {
            Duration ttl = Duration.parse(text);
            if (ttl.isNegative() || ttl.isZero()) {
                throw new ConfigurationException(IDEMPOTENCY_TTL, "must be a positive duration");
            }
            return ttl;
        } catch (DateTimeParseException e) {
            throw new ConfigurationException(IDEMPOTENCY_TTL, "is not an ISO-8601 duration such as PT1H");
        }
    }

    /** A blank variable counts as unset, as SAM passes empty parameters as empty strings. */
    private static String value(Map<String, String> environment, String variable) {
        String value = environment.get(variable);
        return value == null || value.isBlank() ? null : value.strip();
    }
}
