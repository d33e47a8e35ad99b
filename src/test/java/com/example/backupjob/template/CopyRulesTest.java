package com.example.backupjob.template;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Which AWS Backup events the copies react to, as deployed with two destinations (the SAM translator's output,
 * parameters resolved), matched by event-ruler against the samples in events/: the completed jobs that are queued for
 * copying, and the copies whose failure reaches AlarmTopicArn.
 */
class CopyRulesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The account of the sample events, which CloudFormation puts for ${AWS::AccountId}. */
    private static final String ACCOUNT = "123456789012";
    static final List<String> DESTINATIONS = List.of(
            "arn:aws:backup:eu-central-1:123456789012:backup-vault:disaster-recovery",
            "arn:aws:backup:eu-west-1:210987654321:backup-vault:isolated-copies");
    static final Map<String, String> WITH_COPIES = Map.of(
            "CopyDestinationVaultArns", String.join(",", DESTINATIONS),
            "AlarmTopicArn", "arn:aws:sns:eu-west-1:123456789012:alarms");
    private static final JsonNode DEPLOYED = SamTranslator.resolved(WITH_COPIES);
    private static final Pattern PLACEHOLDER = Pattern.compile("<([^<>]+)>");

    @ParameterizedTest
    @CsvSource({
            "completed, true",
            "completed-with-issues, true",
            "failed, false",
            "running, false",
            "partial, false",
            "failed-by-backup-plan, false",
            "failed-other-vault, false"})
    void completedOnDemandJobsOfTheVaultAreQueuedForCopying(String sample, boolean queued) {
        assertThat(matches("BackupJobCompletedRule", sample("backup-job-state-change-" + sample)))
                .as("backup-job-state-change-%s.json is queued for copying", sample).isEqualTo(queued);
    }

    @Test
    void aCompletedJobOfABackupPlanIsNotQueued() {
        ObjectNode event = sample("backup-job-state-change-completed");
        ((ObjectNode) event.path("detail")).set("createdBy", sample("backup-job-state-change-failed-by-backup-plan")
                .at("/detail/createdBy"));

        assertThat(matches("BackupJobCompletedRule", event)).isFalse();
    }

    @ParameterizedTest
    @CsvSource({
            "failed, true",
            "aborted, true",
            "expired, true",
            "completed, false",
            "running, false",
            "failed-by-backup-plan, false",
            "failed-other-destination, false"})
    void copiesToTheDestinationsThatDoNotCompleteReachTheOperator(String sample, boolean notified) {
        assertThat(matches("CopyJobNeedsAttentionRule", sample("copy-job-state-change-" + sample)))
                .as("copy-job-state-change-%s.json reaches the operator", sample).isEqualTo(notified);
    }

    @Test
    void everyCopyStateChangeSampleIsCovered() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("events"))) {
            assertThat(files.map(file -> file.getFileName().toString())
                    .filter(name -> name.startsWith("copy-job-state-change-")))
                    .containsExactlyInAnyOrder(Stream.of("failed", "aborted", "expired", "completed", "running",
                                    "failed-by-backup-plan", "failed-other-destination")
                            .map(sample -> "copy-job-state-change-" + sample + ".json").toArray(String[]::new));
        }
    }

    @Test
    void theCopyMessageNamesTheCopyTheResourceTheDestinationTheStateAndTheStatusMessage() {
        // given
        JsonNode event = sample("copy-job-state-change-failed");
        JsonNode target = SamTranslator.resource(DEPLOYED, "CopyJobNeedsAttentionRule")
                .at("/Properties/Targets/Fn::If/1/0");
        JsonNode paths = target.at("/InputTransformer/InputPathsMap");

        // when
        String message = PLACEHOLDER.matcher(target.at("/InputTransformer/InputTemplate").asText())
                .replaceAll(placeholder -> Matcher.quoteReplacement(event.at(paths.path(placeholder.group(1)).asText()
                        .substring(1).replace('.', '/')).asText()));

        // then
        assertThat(target.at("/Arn").asText()).isEqualTo(WITH_COPIES.get("AlarmTopicArn"));
        assertThat(message).contains(event.at("/detail/copyJobId").asText(), event.at("/detail/resourceArn").asText(),
                event.at("/detail/destinationBackupVaultArn").asText(), "ended FAILED",
                event.at("/detail/statusMessage").asText());
        for (String sample : List.of("failed", "aborted", "expired")) {
            paths.properties().forEach(path -> assertThat(sample("copy-job-state-change-" + sample)
                    .at(path.getValue().asText().substring(1).replace('.', '/')).isMissingNode())
                    .as("%s in %s", path.getValue().asText(), sample).isFalse());
        }
    }

    @Test
    void theCompletedJobRuleSendsTheWholeEventToTheCopyQueueWithADeadLetterQueue() {
        JsonNode target = SamTranslator.resource(DEPLOYED, "BackupJobCompletedRule").at("/Properties/Targets/0");

        assertThat(target.at("/Arn/Fn::GetAtt").toString()).isEqualTo("[\"CopyQueue\",\"Arn\"]");
        assertThat(target.has("Input") || target.has("InputPath") || target.has("InputTransformer"))
                .as("the target sends the event as it is, resources included").isFalse();
        assertThat(target.at("/DeadLetterConfig/Arn/Fn::GetAtt").toString())
                .isEqualTo("[\"CopyDeadLetterQueue\",\"Arn\"]");
    }

    private static boolean matches(String rule, JsonNode event) {
        return CloudFormationTemplates.matchesPattern(pattern(rule), event.toString());
    }

    /**
     * The rule's pattern with what CloudFormation resolves and the translator's resolver leaves: ${AWS::AccountId},
     * and a CommaDelimitedList, which CloudFormation gives as a list (the resolver, as the text it was given).
     */
    private static JsonNode pattern(String rule) {
        ObjectNode pattern = SamTranslator.resource(DEPLOYED, rule).at("/Properties/EventPattern").deepCopy();
        ObjectNode detail = (ObjectNode) pattern.path("detail");
        detail.properties().forEach(field -> {
            JsonNode value = field.getValue();
            if (value.isTextual()) {
                ArrayNode list = JSON.createArrayNode();
                List.of(value.asText().split(",")).forEach(list::add);
                field.setValue(list);
            } else if (value.isArray() && value.path(0).has("Fn::Sub")) {
                field.setValue(JSON.createArrayNode().add(value.at("/0/Fn::Sub").asText()
                        .replace("${AWS::AccountId}", ACCOUNT)));
            }
        });
        return pattern;
    }

    private static ObjectNode sample(String name) {
        try {
            return (ObjectNode) JSON.readTree(Path.of("events", name + ".json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
