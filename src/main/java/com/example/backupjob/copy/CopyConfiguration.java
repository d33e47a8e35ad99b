package com.example.backupjob.copy;

import com.example.backupjob.config.Configuration;
import com.example.backupjob.config.ConfigurationException;
import com.example.backupjob.request.BackupRequest;
import com.example.backupjob.request.RequestDefaults;
import com.example.backupjob.request.SharedRules;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The copy function's settings, read once from the environment at start-up: the vault copies come from, the backup
 * role AWS Backup copies with, the destination vaults, the copies' lifecycle and the StartCopyJob rate.
 *
 * @param sourceVaultArn the stack's vault, whose completed recovery points are copied
 * @param destinationVaultArns one copy of each recovery point goes to each, in this order
 * @param lifecycle the copies' lifecycle; null sends none, so that AWS Backup applies its own
 */
public record CopyConfiguration(String sourceVaultArn, String backupRoleArn, List<String> destinationVaultArns,
        BackupRequest.Lifecycle lifecycle, String idempotencyTable, double startCopyJobRate) {

    public static final String BACKUP_VAULT_ARN = "BACKUP_VAULT_ARN";
    public static final String BACKUP_ROLE_ARN = Configuration.BACKUP_ROLE_ARN;
    public static final String IDEMPOTENCY_TABLE = Configuration.IDEMPOTENCY_TABLE;
    public static final String COPY_DESTINATION_VAULT_ARNS = "COPY_DESTINATION_VAULT_ARNS";
    public static final String COPY_LIFECYCLE = "COPY_LIFECYCLE";
    public static final String START_COPY_JOB_RATE = "START_COPY_JOB_RATE";

    /** As StartBackupJobRate: AWS Backup publishes no StartCopyJob rate of its own, so the same default. */
    private static final double DEFAULT_START_COPY_JOB_RATE = 5;
    private static final double MAX_START_COPY_JOB_RATE = 1000;
    private static final Pattern ROLE_ARN = Pattern.compile("^arn:aws(-[a-z]+)*:iam::\\d{12}:role/[\\w+=,.@/-]{1,512}$");
    private static final String VAULT_ARN_FORM = "arn:<partition>:backup:<region>:<account>:backup-vault:<name>";

    public CopyConfiguration {
        destinationVaultArns = List.copyOf(destinationVaultArns);
    }

    /** The source vault's name, as StartCopyJob's SourceBackupVaultName takes it. */
    public String sourceVaultName() {
        return sourceVaultArn.substring(sourceVaultArn.lastIndexOf(':') + 1);
    }

    /**
     * @throws ConfigurationException for the first variable that is missing or malformed, naming it
     */
    public static CopyConfiguration fromEnvironment(Map<String, String> environment, ObjectMapper json) {
        String source = sourceVaultArn(environment);
        return new CopyConfiguration(source, backupRoleArn(environment), destinations(environment, source),
                lifecycle(environment, json), Configuration.idempotencyTable(environment), rate(environment));
    }

    private static String sourceVaultArn(Map<String, String> environment) {
        String arn = value(environment, BACKUP_VAULT_ARN);
        if (arn == null) {
            throw new ConfigurationException(BACKUP_VAULT_ARN, "is not set: name the ARN of the vault copies come from");
        }
        if (!SharedRules.BACKUP_VAULT_ARN.matcher(arn).matches()) {
            throw new ConfigurationException(BACKUP_VAULT_ARN, "is not a backup vault ARN (" + VAULT_ARN_FORM + ")");
        }
        return arn;
    }

    private static String backupRoleArn(Map<String, String> environment) {
        String arn = value(environment, BACKUP_ROLE_ARN);
        if (arn == null) {
            throw new ConfigurationException(BACKUP_ROLE_ARN, "is not set: name the role AWS Backup copies with");
        }
        if (!ROLE_ARN.matcher(arn).matches()) {
            throw new ConfigurationException(BACKUP_ROLE_ARN, "is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)");
        }
        return arn;
    }

    /** Every destination, each a backup vault ARN other than the source, each once. */
    private static List<String> destinations(Map<String, String> environment, String source) {
        String text = value(environment, COPY_DESTINATION_VAULT_ARNS);
        if (text == null) {
            throw new ConfigurationException(COPY_DESTINATION_VAULT_ARNS, "is not set: name at least one destination "
                    + "vault ARN, comma-separated");
        }
        Set<String> destinations = new LinkedHashSet<>();
        List<String> problems = new ArrayList<>();
        String[] items = text.split(",", -1);
        for (int i = 0; i < items.length; i++) {
            String arn = items[i].strip();
            if (!SharedRules.BACKUP_VAULT_ARN.matcher(arn).matches()) {
                problems.add("item " + (i + 1) + " is not a backup vault ARN (" + VAULT_ARN_FORM + ")");
            } else if (arn.equals(source)) {
                problems.add("item " + (i + 1) + " is the source vault (" + BACKUP_VAULT_ARN + "): a copy must go "
                        + "to another Region or account");
            } else if (!destinations.add(arn)) {
                problems.add("item " + (i + 1) + " repeats a destination");
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationException(COPY_DESTINATION_VAULT_ARNS, "is not valid: " + String.join("; ", problems));
        }
        return List.copyOf(destinations);
    }

    /** A JSON object like a request's Lifecycle, checked with the request rules; {} for none. */
    private static BackupRequest.Lifecycle lifecycle(Map<String, String> environment, ObjectMapper json) {
        String text = value(environment, COPY_LIFECYCLE);
        if (text == null) {
            return null;
        }
        JsonNode lifecycle;
        try {
            lifecycle = json.readTree(text);
        } catch (JacksonException e) {
            throw new ConfigurationException(COPY_LIFECYCLE, "is not valid JSON");
        }
        if (!lifecycle.isObject()) {
            throw new ConfigurationException(COPY_LIFECYCLE, "must be a JSON object, e.g. {\"DeleteAfterDays\":35}");
        }
        try {
            RequestDefaults.of(json.createObjectNode().set("Lifecycle", lifecycle));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(COPY_LIFECYCLE, "is not a valid lifecycle: " + e.getMessage());
        }
        if (lifecycle.isEmpty()) {
            return null;
        }
        return new BackupRequest.Lifecycle(
                lifecycle.has("MoveToColdStorageAfterDays") ? lifecycle.get("MoveToColdStorageAfterDays").longValue()
                        : null,
                lifecycle.has("DeleteAfterDays") ? lifecycle.get("DeleteAfterDays").longValue() : null,
                lifecycle.has("OptInToArchiveForSupportedResources")
                        ? lifecycle.get("OptInToArchiveForSupportedResources").booleanValue() : null);
    }

    private static double rate(Map<String, String> environment) {
        String text = value(environment, START_COPY_JOB_RATE);
        if (text == null) {
            return DEFAULT_START_COPY_JOB_RATE;
        }
        try {
            double rate = Double.parseDouble(text);
            if (rate >= 0.1 && rate <= MAX_START_COPY_JOB_RATE) {
                return rate;
            }
        } catch (NumberFormatException e) {
            // Reported below, as an out-of-range value is.
        }
        throw new ConfigurationException(START_COPY_JOB_RATE, "must be a number of calls per second from 0.1 to "
                + (int) MAX_START_COPY_JOB_RATE);
    }

    /** A blank variable counts as unset, as SAM passes empty parameters as empty strings. */
    private static String value(Map<String, String> environment, String variable) {
        String value = environment.get(variable);
        return value == null || value.isBlank() ? null : value.strip();
    }
}
