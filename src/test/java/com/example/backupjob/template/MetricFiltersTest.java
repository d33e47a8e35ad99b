package com.example.backupjob.template;

import com.example.backupjob.tooling.support.TaggingStandIn;
import com.example.backupjob.tooling.support.LocalSelection;
import static com.example.backupjob.tooling.support.LocalAws.event;
import static com.example.backupjob.tooling.support.LocalAws.invoke;
import static org.assertj.core.api.Assertions.assertThat;

import com.example.backupjob.config.Configuration;
import com.example.backupjob.tooling.support.LocalAws;
import com.example.backupjob.tooling.support.LocalRuns;
import com.example.backupjob.tooling.support.LocalTracking;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
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
 * The template's metric filters, applied to the log lines the functions really write: each outcome is counted once,
 * under the metric (and its dimension) the README names; each function's filters only on its own log lines.
 */
class MetricFiltersTest {

    /** The part of the filter pattern syntax the template uses: {@code $.field = "value"} or {@code $.field = *}. */
    private static final Pattern CONDITION = Pattern.compile("\\$\\.(\\w+) = (\\*|\"([^\"]*)\")");
    private static final Map<String, JsonNode> FILTERS = metricFilters();

    private static final String FUNCTION_LOG = "StartBackupJobLogGroup";
    private static final String TRACKER_LOG = "TrackBackupRunsLogGroup";
    private static final String SELECTION_LOG = "SelectBackupResourcesLogGroup";
    private static final String RUN = "metrics-run";

    @RegisterExtension
    final LocalAws aws = new LocalAws();

    @RegisterExtension
    final LocalTracking tracking = new LocalTracking(aws);

    @RegisterExtension
    final LocalSelection selection = new LocalSelection();

    @Test
    void sumsWhatATagSelectionMatchedQueuedAndSkipped() {
        // given two tables and a Lambda function (a type AWS Backup cannot back up) with the tags, one table left out
        Map<String, String> tags = Map.of("backup", "nightly");
        selection.tagging().hold(List.of(
                new TaggingStandIn.Resource("arn:aws:dynamodb:eu-west-1:123456789012:table/orders", tags),
                new TaggingStandIn.Resource("arn:aws:dynamodb:eu-west-1:123456789012:table/scratch", tags),
                new TaggingStandIn.Resource("arn:aws:lambda:eu-west-1:123456789012:function:resize", tags)));

        // when
        invoke(selection.handler(), """
                {"Selection": {"Tags": {"backup": ["nightly"]},
                 "NotResources": ["arn:aws:dynamodb:eu-west-1:123456789012:table/scratch"]}}""");

        // then
        assertThat(counts(SELECTION_LOG)).containsEntry("RunResourcesMatched", 3L)
                .containsEntry("RunRequestsQueued", 1L).containsEntry("RunResourcesSkipped", 2L);
    }

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

    @Test
    void countsTheRequestsOfFleetRunsByOutcome() {
        // given one run past its deadline and one running
        LocalRuns runs = tracking.runs();
        Instant past = Instant.now().minusSeconds(60);
        Instant future = Instant.now().plusSeconds(3600);
        runs.create(RUN, "QUEUED", past, Map.of("queued", 1L));
        runs.create(RUN + "-2", "QUEUED", future, Map.of("queued", 1L));

        // when
        invoke(aws.handler(), LocalRuns.sqsEvent(List.of(
                LocalRuns.sqsRecord("m-0", "{\"ResourceArn\": \"arn:aws:s3:::a\"}", RUN, past, 1),
                LocalRuns.sqsRecord("m-1", "{\"ResourceArn\": \"arn:aws:s3:::b\"}", RUN + "-2", future, 1))));

        // then
        assertThat(counts()).containsEntry("RunRequests", 2L).containsEntry("JobsStarted", 1L)
                .containsEntry("RequestsFailed", 0L);
        assertThat(dimensionValues("RunRequests", "Outcome")).containsExactlyInAnyOrder("EXPIRED", "STARTED");
    }

    @Test
    void countsTheJobEndsOfRunsByOutcomeTheirSummariesAndTheTrackersFailures() {
        // given a run of two started jobs
        LocalRuns runs = tracking.runs();
        Instant deadline = Instant.now().plusSeconds(3600);
        runs.create(RUN, "QUEUED", deadline, Map.of("queued", 2L));
        runs.startedJob(RUN, "JOB-0", "arn:aws:s3:::a", deadline);
        runs.startedJob(RUN, "JOB-1", "arn:aws:s3:::b", deadline);
        tracking.sns().failPublishes();

        // when: both end, the summary fails once, then goes out on the retry
        invoke(tracking.handler(), LocalTracking.sqsEvent(List.of(jobEnd("JOB-0", "COMPLETED"),
                jobEnd("JOB-1", "FAILED"))));
        tracking.sns().acceptPublishes();
        invoke(tracking.handler(), LocalTracking.sqsEvent(List.of(jobEnd("JOB-1", "FAILED"))));

        // then
        assertThat(counts(TRACKER_LOG)).containsEntry("RunJobsEnded", 2L).containsEntry("RunsSummarised", 1L)
                .containsEntry("RunTrackingFailed", 1L);
        assertThat(dimensionValues("RunJobsEnded", "Outcome")).containsExactly("COMPLETED", "FAILED");
        assertThat(dimensionValues("RunsSummarised", "Reason")).containsExactly("COMPLETE");
    }

    @Test
    void everyFilterCountsTheLogOfAFunction() {
        assertThat(FILTERS.values()).allSatisfy(filter -> assertThat(filter.at("/LogGroupName/Ref").asText())
                .isIn(FUNCTION_LOG, TRACKER_LOG, SELECTION_LOG));
    }

    private static String jobEnd(String jobId, String state) {
        ObjectNode event = (ObjectNode) LocalAws.parse(LocalAws.event("backup-job-state-change-completed.json"));
        ((ObjectNode) event.path("detail")).put("backupJobId", jobId).put("state", state);
        return event.toString();
    }

    /** The counts of the StartBackupJob function's filters. */
    private Map<String, Long> counts() {
        return counts(FUNCTION_LOG);
    }

    /** The counts of the filters on one log group, over the lines logged so far (each function logs to its own). */
    private Map<String, Long> counts(String logGroup) {
        return FILTERS.entrySet().stream()
                .filter(filter -> filter.getValue().at("/LogGroupName/Ref").asText().equals(logGroup))
                .collect(Collectors.toMap(Map.Entry::getKey, filter -> sum(filter.getValue())));
    }

    /** What the filter adds up over the lines: 1 per matching line, or the value of the field it names. */
    private long sum(JsonNode filter) {
        String value = filter.at("/MetricTransformations/0/MetricValue").asText();
        return aws.logLines().stream().filter(matcher(filter))
                .mapToLong(line -> value.startsWith("$.") ? line.path(value.substring(2)).asLong() : Long.parseLong(value))
                .sum();
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
