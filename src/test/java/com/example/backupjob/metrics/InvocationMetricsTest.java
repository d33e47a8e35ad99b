package com.example.backupjob.metrics;

import static com.example.backupjob.support.LocalAws.event;
import static com.example.backupjob.support.LocalAws.invoke;
import static org.assertj.core.api.Assertions.assertThat;

import com.example.backupjob.support.LocalAws;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class InvocationMetricsTest {

    @RegisterExtension
    final LocalAws aws = new LocalAws();

    @Test
    void publishesJobsStartedRejectionsAndDuplicatesAsEmbeddedMetrics() {
        var handler = aws.handler();

        List<JsonNode> first = metricsOf(() -> invoke(handler, event("sqs-batch.json")));
        List<JsonNode> second = metricsOf(() -> invoke(handler, event("sqs-batch.json")));

        assertThat(first).singleElement().satisfies(emf -> {
            assertThat(emf.path("JobsStarted").asInt()).isEqualTo(2);
            assertThat(emf.path("RequestsRejected").asInt()).isEqualTo(2);
            assertThat(emf.at("/_aws/CloudWatchMetrics/0/Namespace").asText()).isEqualTo("StartBackupJob");
        });
        assertThat(second).singleElement().satisfies(emf -> {
            assertThat(emf.path("DuplicatesServed").asInt()).isEqualTo(2);
            assertThat(emf.has("JobsStarted")).isFalse();
        });
    }

    @Test
    void publishesServiceErrorsByTheirCode() {
        aws.answerBackupWith(LocalAws.serviceError(404, "ResourceNotFoundException", "No such vault"));

        List<JsonNode> metrics = metricsOf(() -> invoke(aws.handler(), "{}"));

        assertThat(metrics).singleElement().satisfies(emf -> {
            assertThat(emf.path("RequestsFailed").asInt()).isEqualTo(1);
            assertThat(emf.path("ErrorName").asText()).isEqualTo("ResourceNotFoundException");
        });
    }

    /** The embedded-metric lines the invocation wrote to standard output, where Lambda picks them up. */
    private static List<JsonNode> metricsOf(Runnable invocation) {
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            invocation.run();
        } finally {
            System.setOut(stdout);
        }
        return captured.toString(StandardCharsets.UTF_8).lines()
                .filter(line -> line.startsWith("{\"_aws\""))
                .map(LocalAws::parse)
                .toList();
    }
}
