package com.example.backupjob.template;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * Which AWS Backup job state changes reach the operator: the rule's event pattern as deployed with the default
 * parameters (the SAM translator's output, parameters resolved), matched by event-ruler (the matcher EventBridge is
 * built on) against the sample events in events/.
 */
class BackupJobNeedsAttentionRuleTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RULE = "BackupJobNeedsAttentionRule";
    private static final String SAMPLE_PREFIX = "backup-job-state-change-";
    private static final JsonNode TEMPLATE = CloudFormationTemplates.template();
    private static final JsonNode PROPERTIES =
            SamTranslator.resource(SamTranslator.resolved(Map.of()), RULE).path("Properties");
    /** The vault the stack is deployed for: the parameter's default, as in the sample events. */
    private static final String VAULT = TEMPLATE.at("/Parameters/BackupVaultName/Default").asText();
    private static final Pattern PLACEHOLDER = Pattern.compile("<([^<>]+)>");

    @ParameterizedTest
    @CsvSource({
            "failed, true",
            "aborted, true",
            "expired, true",
            "partial, true",
            "completed-with-issues, true",
            "completed, false",
            "running, false",
            "failed-by-backup-plan, false",
            "failed-other-vault, false"})
    void notifiesOnDemandJobsOfTheVaultThatNeedAttention(String sample, boolean notified) {
        // given
        String event = sample(sample).toString();

        // when
        boolean matched = matches(event);

        // then
        assertThat(matched).as("%s%s.json reaches the operator", SAMPLE_PREFIX, sample).isEqualTo(notified);
    }

    @Test
    void completedJobWithAnEmptyStatusMessageIsNotNotified() {
        // given: AWS Backup also sends an empty statusMessage, which is no issue
        ObjectNode event = sample("completed-with-issues");
        ((ObjectNode) event.path("detail")).put("statusMessage", "");

        // when
        boolean matched = matches(event.toString());

        // then
        assertThat(matched).isFalse();
    }

    @Test
    void everyStateChangeSampleIsCovered() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("events"))) {
            assertThat(files.map(file -> file.getFileName().toString()).filter(name -> name.startsWith(SAMPLE_PREFIX)))
                    .containsExactlyInAnyOrder(Stream.of("failed", "aborted", "expired", "partial",
                                    "completed-with-issues", "completed", "running", "failed-by-backup-plan",
                                    "failed-other-vault")
                            .map(sample -> SAMPLE_PREFIX + sample + ".json").toArray(String[]::new));
        }
    }

    @Test
    void messageNamesTheJobTheResourceTheStateAndTheStatusMessage() {
        // given
        JsonNode event = sample("failed");

        // when
        String message = message(event);

        // then
        assertThat(message).contains(
                event.at("/detail/backupJobId").asText(),
                event.at("/detail/resourceArn").asText(),
                "ended FAILED",
                event.at("/detail/statusMessage").asText(),
                "vault " + VAULT);
    }

    @Test
    void everyPlaceholderOfTheMessageIsAPathInEveryNotifiedEvent() {
        JsonNode transformer = target().path("InputTransformer");
        Matcher placeholders = PLACEHOLDER.matcher(transformer.path("InputTemplate").asText());

        assertThat(placeholders.results().map(placeholder -> placeholder.group(1)))
                .isNotEmpty()
                .allSatisfy(name -> assertThat(transformer.path("InputPathsMap").has(name))
                        .as("<%s> is in InputPathsMap", name).isTrue());
        for (String sample : List.of("failed", "aborted", "expired", "partial", "completed-with-issues")) {
            JsonNode event = sample(sample);
            transformer.path("InputPathsMap").properties().forEach(path -> assertThat(at(event, path.getValue()))
                    .as("%s in %s", path.getValue().asText(), sample).isNotNull());
        }
    }

    private static boolean matches(String event) {
        return CloudFormationTemplates.matchesPattern(PROPERTIES.path("EventPattern"), event);
    }

    /** The topic target, the first branch of {@code !If [HasAlarmTopic, [target], !Ref AWS::NoValue]}. */
    private static JsonNode target() {
        return PROPERTIES.at("/Targets/Fn::If/1/0");
    }

    /**
     * The message EventBridge sends the topic: the InputTemplate with each placeholder replaced by the value its
     * InputPathsMap path selects, as is (EventBridge does not escape them).
     */
    private static String message(JsonNode event) {
        JsonNode paths = target().at("/InputTransformer/InputPathsMap");
        return PLACEHOLDER.matcher(target().at("/InputTransformer/InputTemplate").asText()).replaceAll(placeholder ->
                Matcher.quoteReplacement(at(event, paths.path(placeholder.group(1))).asText()));
    }

    /** The value a path of InputPathsMap, {@code $.a.b}, selects; null when the event has none. */
    private static JsonNode at(JsonNode event, JsonNode path) {
        JsonNode value = event.at(path.asText().substring(1).replace('.', '/'));
        return value.isMissingNode() ? null : value;
    }

    private static ObjectNode sample(String name) {
        try {
            return (ObjectNode) JSON.readTree(Path.of("events", SAMPLE_PREFIX + name + ".json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
