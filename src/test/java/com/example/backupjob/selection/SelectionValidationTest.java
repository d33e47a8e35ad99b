package com.example.backupjob.selection;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.backupjob.error.InvalidParameterValueException;
import com.example.backupjob.error.InvalidRequestException;
import com.example.backupjob.error.MissingParameterValueException;
import com.example.backupjob.error.StartBackupJobException;
import com.example.backupjob.tooling.support.LocalAws;
import com.example.backupjob.tooling.support.LocalSelection;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every rule for a selection request and the template of its jobs: its message, and no AWS call made. */
class SelectionValidationTest {

    private static final String TAGS = "\"Tags\": {\"backup\": [\"nightly\"]}";
    private static final String SECRET_VALUE = "s3cret-" + "x".repeat(256);
    private static final String CONTINUE_RUN_MESSAGE = "ContinueRun: must be a run's SelectionKey, alone in the "
            + "request: {\"ContinueRun\": \"<SelectionKey>\"}";

    @RegisterExtension
    final LocalSelection local = new LocalSelection();

    static Stream<Arguments> badRequests() {
        return Stream.of(
                bad("{\"Selection\": ", InvalidRequestException.class,
                        "The input is not valid JSON at line 1, column 15: the input ends too early"),
                bad("[]", InvalidRequestException.class, "The event must be a JSON object"),
                bad("{\"Selection\": {" + TAGS + "}} {}", InvalidRequestException.class,
                        "The input is not valid JSON at line 1, column 50: more text follows the JSON value"),
                bad("{\"Selection\": {" + TAGS + "}, \"Selection\": {" + TAGS + "}}", InvalidRequestException.class,
                        "The input is not valid JSON at line 1, column 61: Duplicate field 'Selection'"),
                bad("{}", MissingParameterValueException.class, "Selection: is required"),
                bad("{\"Selection\": [\"backup\"]}", InvalidRequestException.class, "Selection: must be an object"),
                bad("{\"Selection\": {}}", MissingParameterValueException.class, "Selection.Tags: is required"),
                bad("{\"Selection\": {" + TAGS + ", \"resourceTypes\": [\"rds\"]}}", InvalidRequestException.class,
                        "Selection.resourceTypes: is not a known field (did you mean ResourceTypes?)"),
                bad("{\"Selection\": {\"Tags\": [\"backup\"]}}", InvalidRequestException.class,
                        "Selection.Tags: must be an object of tag keys, each with its values"),
                bad("{\"Selection\": {\"Tags\": {}}}", InvalidParameterValueException.class,
                        "Selection.Tags: must have 1 to 50 tag keys"),
                bad("{\"Selection\": {\"Tags\": {" + IntStream.range(0, 51).mapToObj(i -> "\"k" + i + "\": [\"v\"]")
                        .collect(Collectors.joining(", ")) + "}}}", InvalidParameterValueException.class,
                        "Selection.Tags: must have 1 to 50 tag keys"),
                bad("{\"Selection\": {\"Tags\": {\"backup\": []}}}", InvalidParameterValueException.class,
                        "Selection.Tags.backup: must have 1 to 20 values"),
                bad("{\"Selection\": {\"Tags\": {\"backup\": [" + IntStream.range(0, 21).mapToObj(i -> "\"v" + i + "\"")
                        .collect(Collectors.joining(", ")) + "]}}}", InvalidParameterValueException.class,
                        "Selection.Tags.backup: must have 1 to 20 values"),
                bad("{\"Selection\": {\"Tags\": {\"backup\": \"nightly\"}}}", InvalidRequestException.class,
                        "Selection.Tags.backup: must be an array of strings"),
                bad("{\"Selection\": {\"Tags\": {\"backup\": [true]}}}", InvalidRequestException.class,
                        "Selection.Tags.backup[0]: must be a string"),
                bad("{\"Selection\": {\"Tags\": {\"backup\": [\"" + SECRET_VALUE + "\"]}}}",
                        InvalidParameterValueException.class,
                        "Selection.Tags.backup[0]: tag values must be at most 256 characters"),
                bad("{\"Selection\": {\"Tags\": {\"\": [\"nightly\"]}}}", InvalidParameterValueException.class,
                        "Selection.Tags.: tag keys must be 1 to 128 characters"),
                bad("{\"Selection\": {" + TAGS + ", \"ResourceTypes\": \"rds\"}}", InvalidRequestException.class,
                        "Selection.ResourceTypes: must be an array of strings"),
                bad("{\"Selection\": {" + TAGS + ", \"ResourceTypes\": [\"DynamoDB Table\"]}}",
                        InvalidParameterValueException.class, "Selection.ResourceTypes[0]: must be a resource type "
                                + "filter: service or service:type, e.g. dynamodb:table"),
                bad("{\"Selection\": {" + TAGS + ", \"ResourceTypes\": [" + IntStream.range(0, 101)
                        .mapToObj(i -> "\"s" + i + "\"").collect(Collectors.joining(", ")) + "]}}",
                        InvalidParameterValueException.class, "Selection.ResourceTypes: must have at most 100 types"),
                bad("{\"Selection\": {" + TAGS + ", \"NotResources\": [\"table/scratch\"]}}",
                        InvalidParameterValueException.class, "Selection.NotResources[0]: must be an ARN "
                                + "(arn:<partition>:<service>:<region>:<account>:<resource>)"),
                bad("{\"Selection\": {" + TAGS + "}, \"ResourceArn\": \"" + LocalAws.DEFAULT_RESOURCE_ARN + "\"}",
                        InvalidRequestException.class, "ResourceArn: is not a template field: each selected "
                                + "resource is backed up under its own ARN"),
                bad("{\"Selection\": {" + TAGS + "}, \"StartWindowMinutes\": 10}", InvalidParameterValueException.class,
                        "StartWindowMinutes: must be from 60 to 52560000"),
                bad("{\"Selection\": {" + TAGS + "}, \"Lifecycle\": {\"DeleteAfterEvent\": \"DELETE_AFTER_COPY\"}}",
                        InvalidParameterValueException.class, "Lifecycle.DeleteAfterEvent: is not valid as input"),
                bad("{\"Selection\": {" + TAGS + "}, \"IdempotencyToken\": \" \"}",
                        InvalidParameterValueException.class, "IdempotencyToken: must not be blank"),
                bad("{\"Selection\": {" + TAGS + "}, \"Resource\": \"x\"}", InvalidRequestException.class,
                        "Resource: is not a known field"),
                bad("{\"Selection\": {\"Tags\": {}}, \"StartWindowMinutes\": 10, \"Index\": \"on\"}",
                        InvalidParameterValueException.class, "3 problems: Selection.Tags: must have 1 to 50 tag "
                                + "keys; StartWindowMinutes: must be from 60 to 52560000; Index: must be ENABLED "
                                + "or DISABLED"),
                bad("{\"detail-type\": \"Backup\", \"id\": 7, \"detail\": {\"Selection\": {" + TAGS + "}}}",
                        InvalidRequestException.class, "id: the EventBridge event id must be a string without control characters"),
                bad("{\"Selection\": {" + TAGS + "}, \"IdempotencyToken\": \"" + "t".repeat(257) + "\"}",
                        InvalidParameterValueException.class,
                        "IdempotencyToken: must be at most 256 characters in a selection: it names the run"),
                bad("{\"Selection\": {\"Tags\": {" + IntStream.range(0, 50).mapToObj(i -> "\"k" + i + "\": ["
                        + IntStream.range(0, 20).mapToObj(j -> "\"" + "\u20ac".repeat(255) + j % 10 + "\"")
                        .collect(Collectors.joining(", ")) + "]").collect(Collectors.joining(", ")) + "}}}",
                        InvalidParameterValueException.class, "Selection: with the template of its jobs, takes "
                                + "769579 bytes to record with its run, more than 200000: use fewer or shorter tag "
                                + "values"),
                bad("{\"ContinueRun\": \" \"}", InvalidRequestException.class, CONTINUE_RUN_MESSAGE),
                bad("{\"ContinueRun\": 7}", InvalidRequestException.class, CONTINUE_RUN_MESSAGE),
                bad("{\"ContinueRun\": \"nightly-2026-12-01\", \"Selection\": {" + TAGS + "}}",
                        InvalidRequestException.class, CONTINUE_RUN_MESSAGE));
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource("badRequests")
    void rejectsBeforeAnyAwsCall(String request, Class<? extends StartBackupJobException> error, String message) {
        // when
        LocalAws.Outcome outcome = LocalAws.invoke(local.handler(), request);

        // then
        assertThat(outcome.error()).isExactlyInstanceOf(error).hasMessage(message);
        assertThat(outcome.error().getMessage()).doesNotContain("nightly", "s3cret");
        assertThat(local.tagging().requests()).isEmpty();
        assertThat(local.messagesQueued()).isZero();
        assertThat(local.tableKeys()).as("run records").isEmpty();
        assertThat(local.backup().regionSettingsCalls()).isZero();
    }

    @Test
    void templateMissingTheVaultAfterDefaultsIsRejectedBeforeAnyAwsCall() {
        // given
        var handler = local.handler(Map.of(SelectionConfiguration.BACKUP_VAULT_NAME, ""));

        // when
        LocalAws.Outcome outcome = LocalAws.invoke(handler, "{\"Selection\": {" + TAGS + "}}");

        // then
        assertThat(outcome.error()).isExactlyInstanceOf(MissingParameterValueException.class)
                .hasMessage("BackupVaultName: is required");
        assertThat(local.tagging().requests()).isEmpty();
    }

    private static Arguments bad(String request, Class<? extends StartBackupJobException> error, String message) {
        return Arguments.of(request, error, message);
    }
}
