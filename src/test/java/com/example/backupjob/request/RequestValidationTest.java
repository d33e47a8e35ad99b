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
                arguments("empty input", "", INVALID_REQUEST, "The event must be a JSON object"),
                arguments("an array", "[1, 2]", INVALID_REQUEST, "The event must be a JSON object"),
                arguments("a string", "\"back me up\"", INVALID_REQUEST, "The event must be a JSON object"),
                arguments("duplicate key", "{\"Index\": \"ENABLED\", \"Index\": \"DISABLED\"}", INVALID_REQUEST,
                        "The input is not valid JSON at line 1, column 29: Duplicate field 'Index'"),
                arguments("EventBridge detail not an object",
                        "{\"id\": \"e-1\", \"detail-type\": \"Backup Requested\", \"detail\": \"orders\"}",
                        INVALID_REQUEST, "The request must be a JSON object"),
                arguments("EventBridge id not a string",
                        "{\"id\": 7, \"detail-type\": \"Backup Requested\", \"detail\": {}}",
                        INVALID_REQUEST, "id: the EventBridge event id must be a string"),
                arguments("misspelt key", "{\"ResourceARN\": \"arn:aws:s3:::bucket\"}", INVALID_REQUEST,
                        "ResourceARN: is not a known field (did you mean ResourceArn?)"),
                arguments("unknown key", "{\"Priority\": \"high\"}", INVALID_REQUEST,
                        "Priority: is not a known field"),
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
                arguments("51 tags", "{\"RecoveryPointTags\": " + tags("tag-", 51) + "}", INVALID_VALUE,
                        "RecoveryPointTags: must have at most 50 tags"),
                arguments("tag key with aws: prefix", "{\"RecoveryPointTags\": {\"AWS:owner\": \"x\"}}", INVALID_VALUE,
                        "RecoveryPointTags.AWS:owner: tag keys must not start with 'aws:'"),
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
