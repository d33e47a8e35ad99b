package com.example.backupjob.template;

import static com.example.backupjob.tooling.support.LocalAws.event;
import static com.example.backupjob.tooling.support.LocalAws.invoke;
import static org.assertj.core.api.Assertions.assertThat;

import com.example.backupjob.config.Configuration;
import com.example.backupjob.tooling.support.LocalAws;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The template's metric filters, applied to the log lines the function really writes: each outcome is counted once,
 * under the metric (and ErrorName) the README names.
 */
class MetricFiltersTest {

    /** The part of the filter pattern syntax the template uses: {@code $.field = "value"} or {@code $.field = *}. */
    private static final Pattern CONDITION = Pattern.compile("\\$\\.(\\w+) = (\\*|\"([^\"]*)\")");
    private static final Map<String, JsonNode> FILTERS = metricFilters();

    @RegisterExtension
    final LocalAws aws = new LocalAws();

    @Test
    void countsStartedDuplicateAndRejectedRequestsOnce() {
        var handler = aws.handler();

        invoke(handler, event("sqs-batch.json"));
        invoke(handler, event("sqs-batch.json"));

        assertThat(counts()).containsEntry("JobsStarted", 2L).containsEntry("DuplicatesServed", 2L)
                .containsEntry("RequestsRejected", 4L).containsEntry("RequestsFailed", 0L)
                .containsEntry("DryRuns", 0L);
    }

    @Test
    void countsServiceErrorsByTheirCode() {
        aws.answerBackupWith(LocalAws.serviceError(404, "ResourceNotFoundException", "No such vault"));

        invoke(aws.handler(), "{}");

        assertThat(counts()).containsEntry("RequestsFailed", 1L).containsEntry("RequestsRejected", 0L);
        assertThat(dimensionValues("RequestsFailed", "ErrorName")).containsExactly("ResourceNotFoundException");
    }

    @Test
    void countsDryRuns() {
        invoke(aws.handler(Map.of(Configuration.DRY_RUN, "true")), "{}");

        assertThat(counts()).containsEntry("DryRuns", 1L).containsEntry("JobsStarted", 0L);
    }

    private Map<String, Long> counts() {
        return FILTERS.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                filter -> aws.logLines().stream().filter(matcher(filter.getValue())).count()));
    }

    private List<String> dimensionValues(String metric, String dimension) {
        JsonNode transformation = FILTERS.get(metric).at("/MetricTransformations/0");
        String field = StreamSupport.stream(transformation.path("Dimensions").spliterator(), false)
                .filter(entry -> entry.path("Key").asText().equals(dimension))
                .map(entry -> entry.path("Value").asText())
                .findFirst().orElseThrow();
        return aws.logLines().stream().filter(matcher(FILTERS.get(metric)))
                .map(line -> line.path(field.substring("$.".length())).asText())
                .toList();
    }

    private static Predicate<JsonNode> matcher(JsonNode filter) {
        String pattern = filter.path("FilterPattern").asText().strip();
        assertThat(pattern).startsWith("{").endsWith("}");
        Predicate<JsonNode> all = line -> true;
        for (String condition : pattern.substring(1, pattern.length() - 1).split("&&")) {
            Matcher parsed = CONDITION.matcher(condition.strip());
            assertThat(parsed.matches()).as("supported condition: %s", condition).isTrue();
            String field = parsed.group(1);
            String value = parsed.group(3);
            all = all.and(line -> line.hasNonNull(field) && (value == null || line.path(field).asText().equals(value)));
        }
        return all;
    }

    /** The metric filters the stack creates, by the metric each counts. */
    private static Map<String, JsonNode> metricFilters() {
        JsonNode resources = SamTranslator.deployed().path("Resources");
        return resources.properties().stream()
                .filter(resource -> resource.getValue().path("Type").asText().equals("AWS::Logs::MetricFilter"))
                .map(resource -> resource.getValue().path("Properties"))
                .collect(Collectors.toMap(filter -> filter.at("/MetricTransformations/0/MetricName").asText(),
                        filter -> filter));
    }
}
