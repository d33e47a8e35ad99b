package com.example.backupjob.request;

import static com.example.backupjob.tooling.support.LocalAws.invoke;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.example.backupjob.config.Configuration;
import com.example.backupjob.error.InvalidParameterValueException;
import com.example.backupjob.error.InvalidRequestException;
import com.example.backupjob.error.MissingParameterValueException;
import com.example.backupjob.error.StartBackupJobException;
import com.example.backupjob.tooling.support.LocalAws;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Every bad-input rule of the contract: its error name, its message, and no call to AWS Backup. */
class RequestValidationTest {

    private static final Class<InvalidRequestException> INVALID_REQUEST = InvalidRequestException.class;
    private static final Class<InvalidParameterValueException> INVALID_VALUE = InvalidParameterValueException.class;

    @RegisterExtension
    final LocalAws aws = new LocalAws();

    static Stream<Arguments> badInputs() {
        return Stream.of(
                arguments("not JSON", "{\"ResourceArn\": ", INVALID_REQUEST,
                        "The input is not valid JSON at line 1, column 17: the input ends too early"),
                arguments("text after the JSON", "{\"ResourceArn\": \"arn:aws:s3:::a\"} x", INVALID_REQUEST,
                        "The input is not valid JSON at line 1, column 36"),
                arguments("two objects", "{\"ResourceArn\": \"arn:aws:s3:::a\"}{\"ResourceArn\": \"arn:aws:s3:::b\"}",
                        INVALID_REQUEST, "The input is not valid JSON at line 1, column 34: more text follows the JSON value"),
                arguments("unquoted tag value", "{\"RecoveryPointTags\": {\"k\": s3cr3t}}", INVALID_REQUEST,
                        "The input is not valid JSON at line 1, column 35"),
                arguments("NaN for a number", "{\"StartWindowMinutes\": NaN}", INVALID_REQUEST,
                        "The input is not valid JSON at line 1, column 27"),
                arguments("nesting deeper than the parser allows", "[".repeat(1_001) + "]".repeat(1_001),
                        INVALID_REQUEST, "The input is not valid JSON: Document nesting depth (1001) exceeds the maximum "
                                + "allowed (1000, from "
                                + "`StreamReadConstraints.getMaxNestingDepth()`)"),
                arguments("number longer than the parser allows", "{\"StartWindowMinutes\": " + "9".repeat(1_001) + "}",
                        INVALID_REQUEST, "The input is not valid JSON: Number value length (1001) exceeds the maximum "
                                + "allowed (1000, from "
                                + "`StreamReadConstraints.getMaxNumberLength()`)"),
                arguments("key longer than the parser allows", "{\"" + "K".repeat(50_001) + "\": 1}",
                        INVALID_REQUEST, "The input is not valid JSON: Name length (50001) exceeds the maximum "
                                + "allowed (50000, from "
                                + "`StreamReadConstraints.getMaxNameLength()`)"),
                arguments("empty input", "", INVALID_REQUEST, "The event must be a JSON object"),
                arguments("null", "null", INVALID_REQUEST, "The event must be a JSON object"),
                arguments("a number", "60", INVALID_REQUEST, "The event must be a JSON object"),
                arguments("an array", "[1, 2]", INVALID_REQUEST, "The event must be a JSON object"),
                arguments("a string", "\"back me up\"", INVALID_REQUEST, "The event must be a JSON object"),
                arguments("duplicate key", "{\"Index\": \"ENABLED\", \"Index\": \"DISABLED\"}", INVALID_REQUEST,
                        "The input is not valid JSON at line 1, column 29: Duplicate field 'Index'"),
                arguments("duplicate key written with an escape",
                        "{\"Index\": \"ENABLED\", \"\\u0049ndex\": \"ENABLED\"}",
                        INVALID_REQUEST, "The input is not valid JSON at line 1, column 34: Duplicate field 'Index'"),
                arguments("EventBridge detail not an object",
                        "{\"id\": \"e-1\", \"detail-type\": \"Backup Requested\", \"detail\": \"orders\"}",
                        INVALID_REQUEST, "The request must be a JSON object"),
                arguments("EventBridge id not a string",
                        "{\"id\": 7, \"detail-type\": \"Backup Requested\", \"detail\": {}}",
                        INVALID_REQUEST, "id: the EventBridge event id must be a string without control characters"),
                arguments("misspelt key", "{\"ResourceARN\": \"arn:aws:s3:::bucket\"}", INVALID_REQUEST,
                        "ResourceARN: is not a known field (did you mean ResourceArn?)"),
                arguments("unknown key", "{\"Priority\": \"high\"}", INVALID_REQUEST,
                        "Priority: is not a known field"),
                arguments("misspelt Lifecycle key", "{\"Lifecycle\": {\"deleteAfterDays\": 35}}", INVALID_REQUEST,
                        "Lifecycle.deleteAfterDays: is not a known field (did you mean DeleteAfterDays?)"),
                arguments("key with a stray space", "{\"Index \": \"ENABLED\"}", INVALID_REQUEST,
                        "Index : is not a known field"),
                arguments("exponent for an integer", "{\"StartWindowMinutes\": 1e2}", INVALID_REQUEST,
                        "StartWindowMinutes: must be an integer, not a decimal number"),
                arguments("integral decimal for an integer", "{\"StartWindowMinutes\": 60.0}", INVALID_REQUEST,
                        "StartWindowMinutes: must be an integer, not a decimal number"),
                arguments("null for a string", "{\"IamRoleArn\": null}", INVALID_REQUEST,
                        "IamRoleArn: must be a string, not null"),
                arguments("null for an object", "{\"Lifecycle\": null}", INVALID_REQUEST,
                        "Lifecycle: must be an object, not null"),
                arguments("null tag value", "{\"RecoveryPointTags\": {\"team\": null}}", INVALID_REQUEST,
                        "RecoveryPointTags.team: must be a string, not null"),
                arguments("string for an integer", "{\"StartWindowMinutes\": \"60\"}", INVALID_REQUEST,
                        "StartWindowMinutes: must be an integer, not a string"),
                arguments("decimal for an integer", "{\"CompleteWindowMinutes\": 60.5}", INVALID_REQUEST,
                        "CompleteWindowMinutes: must be an integer, not a decimal number"),
                arguments("null for an integer", "{\"StartWindowMinutes\": null}", INVALID_REQUEST,
                        "StartWindowMinutes: must be an integer, not null"),
                arguments("number for a string", "{\"ResourceArn\": 42}", INVALID_REQUEST,
                        "ResourceArn: must be a string, not an integer"),
                arguments("array for an object", "{\"Lifecycle\": []}", INVALID_REQUEST,
                        "Lifecycle: must be an object, not an array"),
                arguments("string for a boolean", "{\"Lifecycle\": {\"OptInToArchiveForSupportedResources\": \"yes\"}}",
                        INVALID_REQUEST, "Lifecycle.OptInToArchiveForSupportedResources: must be a boolean, not a string"),
                arguments("unknown Lifecycle key", "{\"Lifecycle\": {\"DeleteAfterWeeks\": 3}}", INVALID_REQUEST,
                        "Lifecycle.DeleteAfterWeeks: is not a known field"),
                arguments("object for a tag value", "{\"RecoveryPointTags\": {\"team\": {\"name\": \"x\"}}}",
                        INVALID_REQUEST, "RecoveryPointTags.team: must be a string, not an object"),
                arguments("boolean for a backup option", "{\"BackupOptions\": {\"WindowsVSS\": true}}",
                        INVALID_REQUEST, "BackupOptions.WindowsVSS: must be a string, not a boolean"),
                arguments("vault name with a space", "{\"BackupVaultName\": \"my vault\"}", INVALID_VALUE,
                        "BackupVaultName: must be 2 to 50 characters: letters, digits, '-' or '_'"),
                arguments("vault name too short", "{\"BackupVaultName\": \"v\"}", INVALID_VALUE,
                        "BackupVaultName: must be 2 to 50 characters: letters, digits, '-' or '_'"),
                arguments("vault name too long", "{\"BackupVaultName\": \"" + "v".repeat(51) + "\"}", INVALID_VALUE,
                        "BackupVaultName: must be 2 to 50 characters: letters, digits, '-' or '_'"),
                arguments("vault name with a non-ASCII letter", "{\"BackupVaultName\": \"v\u00e4ult\"}", INVALID_VALUE,
                        "BackupVaultName: must be 2 to 50 characters: letters, digits, '-' or '_'"),
                arguments("vault name ending in a newline", "{\"BackupVaultName\": \"Default\\n\"}", INVALID_VALUE,
                        "BackupVaultName: must be 2 to 50 characters: letters, digits, '-' or '_'"),
                arguments("resource ARN with a space", "{\"ResourceArn\": \"arn:aws:s3:::bucket name\"}", INVALID_VALUE,
                        "ResourceArn: must be an ARN (arn:<partition>:<service>:<region>:<account>:<resource>)"),
                arguments("resource ARN in upper case", "{\"ResourceArn\": \"ARN:aws:s3:::bucket\"}", INVALID_VALUE,
                        "ResourceArn: must be an ARN (arn:<partition>:<service>:<region>:<account>:<resource>)"),
                arguments("role ARN with an 11-digit account", "{\"IamRoleArn\": \"arn:aws:iam::12345678901:role/x\"}",
                        INVALID_VALUE, "IamRoleArn: must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)"),
                arguments("air-gapped vault ARN of a recovery point",
                        "{\"LogicallyAirGappedBackupVaultArn\": "
                                + "\"arn:aws:backup:eu-west-1:123456789012:recovery-point:abc\"}",
                        INVALID_VALUE, "LogicallyAirGappedBackupVaultArn: must be a backup vault ARN "
                                + "(arn:aws:backup:<region>:<account>:backup-vault:<name>)"),
                arguments("resource that is no ARN", "{\"ResourceArn\": \"orders-table\"}", INVALID_VALUE,
                        "ResourceArn: must be an ARN (arn:<partition>:<service>:<region>:<account>:<resource>)"),
                arguments("role ARN of a user", "{\"IamRoleArn\": \"arn:aws:iam::123456789012:user/bob\"}",
                        INVALID_VALUE, "IamRoleArn: must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)"),
                arguments("air-gapped vault ARN of a role",
                        "{\"LogicallyAirGappedBackupVaultArn\": \"arn:aws:iam::123456789012:role/vault\"}",
                        INVALID_VALUE, "LogicallyAirGappedBackupVaultArn: must be a backup vault ARN "
                                + "(arn:aws:backup:<region>:<account>:backup-vault:<name>)"),
                arguments("blank idempotency token", "{\"IdempotencyToken\": \" \"}", INVALID_VALUE,
                        "IdempotencyToken: must not be blank"),
                arguments("control character in the idempotency token", "{\"IdempotencyToken\": \"tok\\u0019en\"}",
                        INVALID_VALUE, "IdempotencyToken: must not contain control characters"),
                arguments("control character in an ARN", "{\"ResourceArn\": \"arn:aws:s3:::bu\\u0019cket\"}",
                        INVALID_VALUE, "ResourceArn: must be an ARN (arn:<partition>:<service>:<region>:<account>:<resource>)"),
                arguments("control character in the EventBridge event id",
                        "{\"id\": \"e\\u0007-1\", \"detail-type\": \"Backup Requested\", \"detail\": {}}",
                        INVALID_REQUEST, "id: the EventBridge event id must be a string without control characters"),
                arguments("empty idempotency token", "{\"IdempotencyToken\": \"\"}", INVALID_VALUE,
                        "IdempotencyToken: must not be blank"),
                arguments("idempotency token of tabs and newlines", "{\"IdempotencyToken\": \"\\t\\n\"}",
                        INVALID_VALUE, "IdempotencyToken: must not be blank"),
                arguments("start window under 60", "{\"StartWindowMinutes\": 59}", INVALID_VALUE,
                        "StartWindowMinutes: must be from 60 to 52560000"),
                arguments("start window over 100 years", "{\"StartWindowMinutes\": 52560001}", INVALID_VALUE,
                        "StartWindowMinutes: must be from 60 to 52560000"),
                arguments("start window beyond a long", "{\"StartWindowMinutes\": 123456789012345678901234567890}",
                        INVALID_VALUE, "StartWindowMinutes: is out of range"),
                arguments("complete window of 0", "{\"CompleteWindowMinutes\": 0}", INVALID_VALUE,
                        "CompleteWindowMinutes: must be from 1 to 52560000"),
                arguments("complete window over 100 years", "{\"CompleteWindowMinutes\": 52560001}", INVALID_VALUE,
                        "CompleteWindowMinutes: must be from 1 to 52560000"),
                arguments("cold storage after 0 days", "{\"Lifecycle\": {\"MoveToColdStorageAfterDays\": 0}}",
                        INVALID_VALUE, "Lifecycle.MoveToColdStorageAfterDays: must be positive"),
                arguments("negative retention", "{\"Lifecycle\": {\"DeleteAfterDays\": -1}}", INVALID_VALUE,
                        "Lifecycle.DeleteAfterDays: must be from 1 to 36500"),
                arguments("retention over 100 years", "{\"Lifecycle\": {\"DeleteAfterDays\": 36501}}", INVALID_VALUE,
                        "Lifecycle.DeleteAfterDays: must be from 1 to 36500"),
                arguments("retention under cold storage + 90",
                        "{\"Lifecycle\": {\"MoveToColdStorageAfterDays\": 30, \"DeleteAfterDays\": 119}}",
                        INVALID_VALUE, "Lifecycle.DeleteAfterDays: must be at least MoveToColdStorageAfterDays + 90"),
                arguments("DeleteAfterEvent", "{\"Lifecycle\": {\"DeleteAfterEvent\": \"DELETE_AFTER_COPY\"}}",
                        INVALID_VALUE, "Lifecycle.DeleteAfterEvent: is not valid as input"),
                arguments("unknown backup option", "{\"BackupOptions\": {\"Compression\": \"on\"}}", INVALID_VALUE,
                        "BackupOptions.Compression: is not a backup option (only WindowsVSS is)"),
                arguments("WindowsVSS value", "{\"BackupOptions\": {\"WindowsVSS\": \"on\"}}", INVALID_VALUE,
                        "BackupOptions.WindowsVSS: must be enabled or disabled"),
                arguments("Index in lower case", "{\"Index\": \"enabled\"}", INVALID_VALUE,
                        "Index: must be ENABLED or DISABLED"),
                arguments("Index with a trailing space", "{\"Index\": \"ENABLED \"}", INVALID_VALUE,
                        "Index: must be ENABLED or DISABLED"),
                arguments("backup option in another case", "{\"BackupOptions\": {\"windowsVSS\": \"enabled\"}}",
                        INVALID_VALUE, "BackupOptions.windowsVSS: is not a backup option (only WindowsVSS is)"),
                arguments("51 tags", "{\"RecoveryPointTags\": " + tags("tag-", 51) + "}", INVALID_VALUE,
                        "RecoveryPointTags: must have at most 50 tags"),
                arguments("tag key with aws: prefix", "{\"RecoveryPointTags\": {\"AWS:owner\": \"x\"}}", INVALID_VALUE,
                        "RecoveryPointTags.AWS:owner: tag keys must not start with 'aws:'"),
                arguments("tag key with lower-case aws: prefix", "{\"RecoveryPointTags\": {\"aws:created-by\": \"x\"}}",
                        INVALID_VALUE, "RecoveryPointTags.aws:created-by: tag keys must not start with 'aws:'"),
                arguments("empty tag key", "{\"RecoveryPointTags\": {\"\": \"x\"}}", INVALID_VALUE,
                        "RecoveryPointTags.: tag keys must be 1 to 128 characters"),
                arguments("tag key of 129 characters", "{\"RecoveryPointTags\": {\"" + "k".repeat(129) + "\": \"x\"}}",
                        INVALID_VALUE, "RecoveryPointTags." + "k".repeat(64) + "...: tag keys must be 1 to 128 characters"),
                arguments("tag value of 257 characters",
                        "{\"RecoveryPointTags\": {\"team\": \"" + "secret".repeat(43) + "\"}}", INVALID_VALUE,
                        "RecoveryPointTags.team: tag values must be at most 256 characters"),
                arguments("several problems at once",
                        "{\"Resource\": \"x\", \"StartWindowMinutes\": 30, \"Index\": \"on\"}", INVALID_REQUEST,
                        "3 problems: Resource: is not a known field; StartWindowMinutes: must be from 60 to 52560000; "
                                + "Index: must be ENABLED or DISABLED"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void rejectsBadInputWithoutCallingBackup(String rule, String input,
            Class<? extends StartBackupJobException> errorName, String message) {
        // when
        LocalAws.Outcome outcome = invoke(aws.handler(), input);

        // then
        assertThat(outcome.error()).isExactlyInstanceOf(errorName).hasMessage(message);
        assertThat(aws.backupCalls()).isEmpty();
    }

    @ParameterizedTest(name = "{0} given {1}")
    @CsvSource(delimiter = '|', value = {
        "BackupVaultName                               | 42                     | a string, not an integer",
        "LogicallyAirGappedBackupVaultArn              | true                   | a string, not a boolean",
        "ResourceArn                                   | [\"arn:aws:s3:::a\"]     | a string, not an array",
        "IamRoleArn                                    | {}                     | a string, not an object",
        "IdempotencyToken                              | 4.2                    | a string, not a decimal number",
        "Index                                         | false                  | a string, not a boolean",
        "StartWindowMinutes                            | [60]                   | an integer, not an array",
        "CompleteWindowMinutes                         | {\"minutes\": 60}       | an integer, not an object",
        "Lifecycle                                     | \"{}\"                 | an object, not a string",
        "RecoveryPointTags                             | []                     | an object, not an array",
        "BackupOptions                                 | \"enabled\"            | an object, not a string",
        "Lifecycle.MoveToColdStorageAfterDays          | \"30\"                 | an integer, not a string",
        "Lifecycle.DeleteAfterDays                     | 35.5                   | an integer, not a decimal number",
        "Lifecycle.OptInToArchiveForSupportedResources | 1                      | a boolean, not an integer",
        "RecoveryPointTags.team                        | 1                      | a string, not an integer",
        "BackupOptions.WindowsVSS                      | null                   | a string, not null"})
    void rejectsEveryFieldGivenAnotherJsonTypeWithoutCallingBackup(String path, String value, String types) {
        // given the value at its path, e.g. {"Lifecycle": {"DeleteAfterDays": 35.5}}
        String[] keys = path.split("\\.");
        String input = keys.length == 1 ? "{\"" + path + "\": " + value + "}"
                : "{\"" + keys[0] + "\": {\"" + keys[1] + "\": " + value + "}}";

        // when
        LocalAws.Outcome outcome = invoke(aws.handler(), input);

        // then
        assertThat(outcome.error()).isExactlyInstanceOf(INVALID_REQUEST).hasMessage(path + ": must be " + types);
        assertThat(aws.backupCalls()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valuesAtTheEdge")
    void acceptsValuesAtTheEdgeOfEachRuleWithOneCall(String rule, String request) {
        // when
        LocalAws.Outcome outcome = invoke(aws.handler(), request);

        // then
        assertThat(outcome.error()).isNull();
        assertThat(aws.backupCalls()).hasSize(1);
    }

    static Stream<Arguments> valuesAtTheEdge() {
        return Stream.of(
                arguments("shortest start window", "{\"StartWindowMinutes\": 60}"),
                arguments("longest start window", "{\"StartWindowMinutes\": 52560000}"),
                arguments("shortest complete window", "{\"CompleteWindowMinutes\": 1}"),
                arguments("longest complete window", "{\"CompleteWindowMinutes\": 52560000}"),
                arguments("shortest retention", "{\"Lifecycle\": {\"DeleteAfterDays\": 1}}"),
                arguments("retention exactly 90 days after cold storage",
                        "{\"Lifecycle\": {\"MoveToColdStorageAfterDays\": 1, \"DeleteAfterDays\": 91, "
                                + "\"OptInToArchiveForSupportedResources\": false}}"),
                arguments("shortest vault name", "{\"BackupVaultName\": \"ab\"}"),
                arguments("longest vault name", "{\"BackupVaultName\": \"" + "v-_9".repeat(12) + "v9\"}"),
                arguments("resource in the China partition",
                        "{\"ResourceArn\": \"arn:aws-cn:rds:cn-north-1:123456789012:db:c\"}"),
                arguments("bucket ARN without region or account",
                        "{\"ResourceArn\": \"arn:aws:s3:::customer-uploads\"}"),
                arguments("role with a path and every allowed sign",
                        "{\"IamRoleArn\": \"arn:aws-us-gov:iam::123456789012:role/path/to/Role_1+=,.@-\"}"),
                arguments("air-gapped vault", "{\"LogicallyAirGappedBackupVaultArn\": "
                        + "\"arn:aws:backup:eu-west-1:123456789012:backup-vault:air-gapped-vault\"}"),
                arguments("idempotency token of multi-byte text", "{\"IdempotencyToken\": \"t\u00f6k-\uD83D\uDE00\"}"),
                arguments("both Index values and both WindowsVSS values",
                        "{\"Index\": \"DISABLED\", \"BackupOptions\": {\"WindowsVSS\": \"disabled\"}}"),
                arguments("50 tags", "{\"RecoveryPointTags\": " + tags("tag-", 50) + "}"),
                arguments("longest tag key and value", "{\"RecoveryPointTags\": {\"" + "k".repeat(128) + "\": \""
                        + "v".repeat(256) + "\"}}"),
                arguments("tag keys that only look like aws:", "{\"RecoveryPointTags\": {\"aws\": \"x\", "
                        + "\"aws-owner\": \"x\", \" aws:x\": \"x\"}}"),
                arguments("multi-byte tag key and value",
                        "{\"RecoveryPointTags\": {\"\u65e5\u672c\": \"\u5024 \u00e9\"}}"),
                arguments("keys written with escapes", "{\"\\u0052esourceArn\": \"arn:aws:s3:::bucket\", "
                        + "\"\\u0049ndex\": \"ENABLED\"}"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "cold storage after 100 years, no retention | {\"MoveToColdStorageAfterDays\": 40000}",
        "cold storage after a long's largest value  | {\"MoveToColdStorageAfterDays\": 9223372036854775807}",
        "longest retention, 90 days after cold      | {\"MoveToColdStorageAfterDays\": 36410,"
                + " \"DeleteAfterDays\": 36500}"})
    void acceptsLifecycleDayCountsThatAreOnlyBoundedBelow(String rule, String lifecycle) {
        // when
        LocalAws.Outcome outcome = invoke(aws.handler(), "{\"Lifecycle\": " + lifecycle + "}");

        // then
        assertThat(outcome.error()).isNull();
        assertThat(aws.backupCalls()).singleElement()
                .satisfies(call -> assertThat(call.get("Lifecycle")).isEqualTo(LocalAws.parse(lifecycle)));
    }

    @Test
    void rejectsRetentionShorterThanColdStorageNearTheEndOfALong() {
        // when cold storage + 90 days would overflow a long
        LocalAws.Outcome outcome = invoke(aws.handler(),
                "{\"Lifecycle\": {\"MoveToColdStorageAfterDays\": 9223372036854775807, \"DeleteAfterDays\": 100}}");

        // then
        assertThat(outcome.error()).isExactlyInstanceOf(InvalidParameterValueException.class)
                .hasMessage("Lifecycle.DeleteAfterDays: must be at least MoveToColdStorageAfterDays + 90");
        assertThat(aws.backupCalls()).isEmpty();
    }

    @Test
    void reportsEveryMissingRequiredFieldAfterDefaults() {
        // given no defaults at all
        var handler = aws.handler(Map.of(Configuration.BACKUP_VAULT_NAME, "", Configuration.BACKUP_ROLE_ARN, "",
                Configuration.BACKUP_DEFAULTS, ""));

        // when
        LocalAws.Outcome outcome = invoke(handler, "{}");

        // then
        assertThat(outcome.error()).isExactlyInstanceOf(MissingParameterValueException.class).hasMessage(
                "3 problems: BackupVaultName: is required; ResourceArn: is required; IamRoleArn: is required");
        assertThat(aws.backupCalls()).isEmpty();
    }

    @Test
    void listsTheFirstTwentyProblemsAndCountsTheRest() {
        // given a request with 3,000 unknown keys
        String request = IntStream.range(0, 3_000).mapToObj(i -> "\"Unknown" + i + "\": 1")
                .collect(Collectors.joining(", ", "{", "}"));

        // when
        LocalAws.Outcome outcome = invoke(aws.handler(), request);

        // then the message, and so the WARN line, stays short
        assertThat(outcome.error()).isExactlyInstanceOf(INVALID_REQUEST)
                .hasMessageStartingWith("3000 problems: Unknown0: is not a known field; ")
                .hasMessageEndingWith("Unknown19: is not a known field; and 2980 more");
        assertThat(outcome.error().getMessage()).hasSizeLessThan(1_000);
        assertThat(aws.backupCalls()).isEmpty();
    }

    @Test
    void rejectsTooManyTagsAfterMergingTheDefaultTags() {
        // given 30 default tags and 21 other tags in the request
        var handler = aws.handler(Map.of(Configuration.BACKUP_DEFAULTS,
                "{\"ResourceArn\": \"arn:aws:s3:::bucket\", \"RecoveryPointTags\": " + tags("default-", 30) + "}"));

        // when
        LocalAws.Outcome outcome = invoke(handler, "{\"RecoveryPointTags\": " + tags("request-", 21) + "}");

        // then
        assertThat(outcome.error()).isExactlyInstanceOf(InvalidParameterValueException.class)
                .hasMessage("RecoveryPointTags: must have at most 50 tags");
        assertThat(aws.backupCalls()).isEmpty();
    }

    @Test
    void neverPutsTagValuesInTheErrorOrTheLogs() {
        String secret = "s3cr3t-value-" + "x".repeat(250);

        LocalAws.Outcome outcome = invoke(aws.handler(), "{\"RecoveryPointTags\": {\"token\": \"" + secret + "\"}}");

        assertThat(outcome.error()).hasMessageNotContaining("s3cr3t");
        assertThat(aws.logLines()).isNotEmpty().allSatisfy(line -> assertThat(line.toString()).doesNotContain("s3cr3t"));
    }

    private static String tags(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> "\"" + prefix + i + "\": \"v\"")
                .collect(Collectors.joining(", ", "{", "}"));
    }
}
