package com.example.backupjob.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.backupjob.tooling.runtime.FunctionClasspath;
import com.example.backupjob.tooling.runtime.InvocationResult;
import com.example.backupjob.tooling.runtime.LocalLambda;
import com.example.backupjob.tooling.runtime.SamFunction;
import com.example.backupjob.tooling.runtime.SamTemplate;
import com.example.backupjob.error.InvalidRequestException;
import com.example.backupjob.selection.SelectionConfiguration;
import com.example.backupjob.tooling.support.BackupStandIn;
import com.example.backupjob.tooling.support.DynaliteServer;
import com.example.backupjob.tooling.support.ElasticMqServer;
import com.example.backupjob.tooling.support.TaggingStandIn;
import com.example.backupjob.tooling.support.TaggingStandIn.Resource;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tag selection function as Lambda runs it: its own JVM under the real runtime interface client, configured by
 * template.yaml and env.json, against the Tagging API stand-in, ElasticMQ, dynalite for the runs' records and the
 * AWS Backup stand-in for the Region's opt-in settings.
 */
class SelectionRuntimeTest {

    private static final String FUNCTION = "SelectBackupResourcesFunction";
    private static final Map<String, String> TAGS = Map.of("backup", "nightly", "env", "prod");

    private static TaggingStandIn tagging;
    private static ElasticMqServer sqs;
    private static DynaliteServer dynamoDb;
    private static BackupStandIn backup;
    private static ElasticMqServer.RequestQueues queue;
    private static LocalLambda lambda;

    @BeforeAll
    static void startFunction() {
        tagging = TaggingStandIn.start();
        sqs = ElasticMqServer.start();
        dynamoDb = DynaliteServer.start();
        backup = BackupStandIn.start(Duration.ZERO);
        queue = sqs.createRequestQueues("selection-runtime", Duration.ofSeconds(60), 3);
        tagging.hold(List.of(
                new Resource("arn:aws:dynamodb:eu-west-1:123456789012:table/orders", TAGS),
                new Resource("arn:aws:dynamodb:eu-west-1:123456789012:table/scratch", TAGS),
                new Resource("arn:aws:lambda:eu-west-1:123456789012:function:resize", TAGS)));
        Map<String, String> environment = new HashMap<>(SamTemplate.environmentFile(Path.of("env.json"), FUNCTION));
        environment.put(SelectionConfiguration.REQUEST_QUEUE_URL, queue.url());
        environment.put(SelectionConfiguration.CONTINUATION_QUEUE_URL,
                sqs.createRequestQueues("selection-runtime-continuations", Duration.ofSeconds(720), 3).url());
        dynamoDb.createTable(environment.get(SelectionConfiguration.IDEMPOTENCY_TABLE));
        SamFunction function = SamTemplate.read(Path.of("template.yaml")).function(FUNCTION, Map.of(), environment);
        lambda = LocalLambda.start(function, FunctionClasspath.fromBuild(Path.of("")), Map.of(
                        "AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API", tagging.endpoint().toString(),
                        "AWS_ENDPOINT_URL_SQS", sqs.endpoint().toString(),
                        "AWS_ENDPOINT_URL_DYNAMODB", dynamoDb.endpoint().toString(),
                        "AWS_ENDPOINT_URL_BACKUP", backup.endpoint().toString()),
                Path.of("target", "lambda", "SelectionRuntimeTest.log"));
    }

    @AfterAll
    static void stopFunction() {
        for (AutoCloseable running : new AutoCloseable[] {lambda, sqs, tagging, dynamoDb, backup}) {
            if (running != null) {
                try {
                    running.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    @Test
    void schedulerInputQueuesOneRequestPerSelectedResource() throws IOException {
        // when (the other test may have run the same selection first: the same run, queued once)
        InvocationResult result = lambda.invoke(Files.readString(Path.of("events", "selection-scheduler-input.json")));

        // then
        assertThat(result).as(() -> result + "\n" + String.join("\n", lambda.newOutput()))
                .isInstanceOfSatisfying(InvocationResult.Response.class, response ->
                        assertThat(parse(response.body())).isEqualTo(parse("""
                                {"SelectionKey": "5f6b1c9e-2d4a-4c8b-9e1f-3a7d2b6c8e40", "Matched": 3, "Queued": 1,
                                 "Skipped": {"UnsupportedType": 1, "OptedOut": 0, "NotResources": 1},
                                 "Complete": true}
                                """)));
        assertThat(sqs.messageCount(queue.url())).isEqualTo(1);
    }

    @Test
    void aContinuationFromItsQueueIsAnSqsEventAnsweredWithTheRunsResult() throws IOException {
        // given: the sample selection's run, queued
        lambda.invoke(Files.readString(Path.of("events", "selection-scheduler-input.json")));

        // when: its continuation, as the continuation queue's event source delivers it
        InvocationResult result = lambda.invoke(Files.readString(Path.of("events", "sqs-selection-continuation.json")));

        // then: a run already queued queues nothing more
        assertThat(result).as(() -> result + "\n" + String.join("\n", lambda.newOutput()))
                .isInstanceOfSatisfying(InvocationResult.Response.class, response -> {
                    JsonNode results = parse(response.body());
                    assertThat(results).hasSize(1);
                    assertThat(results.get(0).get("SelectionKey").asText())
                            .isEqualTo("5f6b1c9e-2d4a-4c8b-9e1f-3a7d2b6c8e40");
                    assertThat(results.get(0).get("Complete").asBoolean()).isTrue();
                });
        assertThat(sqs.messageCount(queue.url())).isEqualTo(1);
    }

    @Test
    void invalidSelectionFailsWithInvalidRequestExceptionNamingTheField() {
        // when
        InvocationResult result = lambda.invoke("{\"Selection\": {\"Tag\": {\"backup\": [\"nightly\"]}}}");

        // then
        assertThat(result).isInstanceOfSatisfying(InvocationResult.Error.class, error -> {
            assertThat(error.errorType()).isEqualTo(InvalidRequestException.class.getName());
            assertThat(error.errorMessage()).contains("Selection.Tag: is not a known field");
        });
    }

    private static JsonNode parse(String json) {
        try {
            return new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
