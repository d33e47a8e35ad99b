package com.example.backupjob.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.backupjob.tooling.runtime.InvocationResult;
import com.example.backupjob.tooling.runtime.LocalFunctions;
import com.example.backupjob.tooling.runtime.LocalLambda;
import com.example.backupjob.tooling.runtime.SamFunction;
import com.example.backupjob.config.Configuration;
import com.example.backupjob.error.InvalidRequestException;
import com.example.backupjob.tooling.support.BackupStandIn;
import com.example.backupjob.tooling.support.DynaliteServer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The built function as Lambda runs it: its own JVM under the real runtime interface client, configured by
 * template.yaml and env.json, against the AWS Backup stand-in and dynalite. One warm JVM serves the class.
 */
class RuntimeInterfaceClientTest {

    private static final String FUNCTION = "StartBackupJobFunction";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static BackupStandIn backup;
    private static DynaliteServer dynamoDb;
    private static LocalLambda lambda;

    @BeforeAll
    static void startFunction() {
        backup = BackupStandIn.start(Duration.ZERO);
        dynamoDb = DynaliteServer.start();
        SamFunction function = function(Map.of());
        dynamoDb.createTable(function.environment().get(Configuration.IDEMPOTENCY_TABLE));
        lambda = start(function, "RuntimeInterfaceClientTest.log");
    }

    @AfterAll
    static void stopFunction() {
        if (lambda != null) {
            lambda.close();
        }
        if (dynamoDb != null) {
            dynamoDb.close();
        }
        if (backup != null) {
            backup.close();
        }
    }

    @Test
    void plainRequestReturnsTheStartedJob() {
        // given
        String request = event("step-functions-input.json");

        // when
        InvocationResult result = lambda.invoke(request);

        // then
        JsonNode response = response(result);
        assertThat(response.properties()).extracting(Map.Entry::getKey)
                .containsExactlyInAnyOrder("BackupJobId", "CreationDate", "IsParent");
        assertThat(response.get("BackupJobId").asText()).isNotBlank();
        assertThat(response.get("CreationDate").asText()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
        assertThat(response.get("IsParent").isBoolean()).isTrue();
    }

    @Test
    void invalidRequestFailsWithInvalidRequestExceptionNamingTheField() {
        // given
        String request = event("invalid-unknown-key.json");

        // when
        InvocationResult result = lambda.invoke(request);

        // then
        assertThat(result).isInstanceOfSatisfying(InvocationResult.Error.class, error -> {
            assertThat(error.errorType()).isEqualTo(InvalidRequestException.class.getName());
            assertThat(error.errorMessage()).contains("ResourceARN");
        });
    }

    @Test
    void sqsBatchReportsExactlyTheBadRecords() throws JsonProcessingException {
        // given: the third record has an unknown key, the fourth is not JSON; the first two are good
        String batch = event("sqs-batch.json");
        JsonNode records = JSON.readTree(batch).get("Records");
        int jobsBefore = backup.jobsStarted();

        // when
        InvocationResult result = lambda.invoke(batch);

        // then
        assertThat(response(result).get("batchItemFailures").findValuesAsText("itemIdentifier"))
                .containsExactlyInAnyOrder(records.get(2).get("messageId").asText(),
                        records.get(3).get("messageId").asText());
        assertThat(backup.jobsStarted() - jobsBefore).isEqualTo(2);
    }

    @Test
    void sameEventTwiceStartsOneJob() {
        // given
        String event = withNewId(event("scheduled-rule.json"));
        int jobsBefore = backup.jobsStarted();

        // when
        JsonNode first = response(lambda.invoke(event));
        JsonNode second = response(lambda.invoke(event));

        // then
        assertThat(second).isEqualTo(first);
        assertThat(backup.jobsStarted() - jobsBefore).isEqualTo(1);
    }

    @Test
    void malformedBackupDefaultsFailsInitNamingTheVariable() {
        // given
        SamFunction function = function(Map.of(Configuration.BACKUP_DEFAULTS, "{\"ResourceArn\": "));

        try (LocalLambda broken = start(function, "RuntimeInterfaceClientTest-init-error.log")) {
            // when
            InvocationResult result = broken.invoke(event("scheduled-rule.json"));

            // then
            assertThat(broken.initError()).hasValueSatisfying(error ->
                    assertThat(error.errorMessage()).contains(Configuration.BACKUP_DEFAULTS));
            assertThat(result).isInstanceOfSatisfying(InvocationResult.Error.class, error ->
                    assertThat(error.errorMessage()).contains(Configuration.BACKUP_DEFAULTS));
        }
    }

    private static SamFunction function(Map<String, String> environmentOverrides) {
        return LocalFunctions.function(FUNCTION, environmentOverrides);
    }

    private static LocalLambda start(SamFunction function, String logFile) {
        return LocalFunctions.start(function, backup, dynamoDb, logFile);
    }

    /** The response JSON, or a failure that shows the error and the function's log. */
    private static JsonNode response(InvocationResult result) {
        assertThat(result).as(() -> "the function failed: " + result + "\n" + String.join("\n", lambda.newOutput()))
                .isInstanceOf(InvocationResult.Response.class);
        try {
            return JSON.readTree(((InvocationResult.Response) result).body());
        } catch (JsonProcessingException e) {
            throw new AssertionError("The response is not JSON: " + result, e);
        }
    }

    private static String event(String fileName) {
        try {
            return Files.readString(Path.of("events", fileName));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The event as EventBridge would send another one: a new id, hence a new idempotency key. */
    private static String withNewId(String event) {
        try {
            ObjectNode copy = (ObjectNode) JSON.readTree(event);
            return copy.put("id", UUID.randomUUID().toString()).toString();
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
