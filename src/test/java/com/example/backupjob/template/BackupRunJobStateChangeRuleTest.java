package com.example.backupjob.template;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.backupjob.tooling.support.BackupStandIn;
import com.example.backupjob.tooling.support.BackupStandIn.EndState;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Which AWS Backup job state changes reach the run tracker's queue: the rule's event pattern as deployed with the
 * default parameters (the SAM translator's output, parameters resolved), matched by event-ruler (the matcher
 * EventBridge is built on) against the samples in events/ and the events the Backup stand-in emits.
 */
class BackupRunJobStateChangeRuleTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RULE = "BackupRunJobStateChangeRule";
    private static final JsonNode PROPERTIES =
            SamTranslator.resource(SamTranslator.resolved(Map.of()), RULE).path("Properties");

    @ParameterizedTest
    @CsvSource({
            "completed, true",
            "completed-with-issues, true",
            "failed, true",
            "aborted, true",
            "expired, true",
            "partial, true",
            "running, false",
            "failed-by-backup-plan, false",
            "failed-other-vault, false"})
    void queuesEveryFinalStateOfTheVaultsOnDemandJobs(String sample, boolean queued) {
        assertThat(matches(sample(sample).toString())).as("backup-job-state-change-%s.json is queued", sample)
                .isEqualTo(queued);
    }

    @Test
    void queuesACleanCompletionWithAnEmptyStatusMessageToo() {
        ObjectNode event = sample("completed-with-issues");
        ((ObjectNode) event.path("detail")).put("statusMessage", "");

        assertThat(matches(event.toString())).isTrue();
    }

    @Test
    void matchesTheEventsTheBackupStandInEmits() throws Exception {
        // given: the stand-in's events are what the run tests deliver to the tracker, so they must be what the rule
        // lets through
        try (BackupStandIn backup = BackupStandIn.start(Duration.ZERO)) {
            startJob(backup, "arn:aws:dynamodb:eu-west-1:123456789012:table/orders");

            // when
            List<String> events = backup.endJobs(resource -> new EndState("FAILED", "Access denied"));

            // then
            assertThat(events).singleElement().satisfies(event -> assertThat(matches(event)).isTrue());
        }
    }

    @Test
    void sendsToTheTrackersQueueWithTheQueuesDeadLetterQueueForWhatItCannotDeliver() {
        JsonNode target = PROPERTIES.at("/Targets/0");

        assertThat(PROPERTIES.path("Targets")).hasSize(1);
        assertThat(target.at("/Arn/Fn::GetAtt/0").asText()).isEqualTo("BackupJobStateChangeQueue");
        assertThat(target.at("/DeadLetterConfig/Arn/Fn::GetAtt/0").asText())
                .isEqualTo("BackupJobStateChangeDeadLetterQueue");
        assertThat(target.has("InputTransformer")).as("the event is queued as it is").isFalse();
    }

    private static void startJob(BackupStandIn backup, String resourceArn) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(backup.endpoint() + "/backup-jobs"))
                .PUT(HttpRequest.BodyPublishers.ofString(JSON.createObjectNode()
                        .put("BackupVaultName", "Default")
                        .put("ResourceArn", resourceArn)
                        .put("IamRoleArn", "arn:aws:iam::123456789012:role/backup")
                        .put("IdempotencyToken", "rule-test").toString()))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
    }

    private static boolean matches(String event) {
        return CloudFormationTemplates.matchesPattern(PROPERTIES.path("EventPattern"), event);
    }

    private static ObjectNode sample(String name) {
        try {
            return (ObjectNode) JSON.readTree(Path.of("events", "backup-job-state-change-" + name + ".json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
