package com.example.backupjob.tooling.runtime;

import com.example.backupjob.selection.SelectionConfiguration;
import com.example.backupjob.tooling.support.BackupStandIn;
import com.example.backupjob.tooling.support.DynaliteServer;
import com.example.backupjob.tooling.support.ElasticMqServer;
import com.example.backupjob.tooling.support.TaggingStandIn;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The tag selection function as Lambda runs it, on this machine: its JVM under the real runtime interface client,
 * configured by template.yaml and env.json, against the Tagging API stand-in, ElasticMQ (the request queue and the
 * continuation queue), dynalite (the runs' records) and the AWS Backup stand-in (the Region's opt-in settings); and
 * the continuation queue's event source, which delivers each continuation to the function, one at a time.
 */
public final class LocalSelectionFunction implements AutoCloseable {

    public static final String FUNCTION = "SelectBackupResourcesFunction";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TaggingStandIn tagging = TaggingStandIn.start();
    private final ElasticMqServer sqs = ElasticMqServer.start();
    private final DynaliteServer dynamoDb = DynaliteServer.start();
    private final BackupStandIn backup = BackupStandIn.start(Duration.ZERO);
    private final SamFunction function;
    private final String requestQueueUrl;
    private final String continuationQueueUrl;
    private final Path log;
    private int environments;
    private LocalLambda lambda;

    /**
     * @param adapted changes to the function as the template has it, e.g. a shorter timeout
     * @param continuationVisibility how long a continuation the function failed waits before it is delivered again
     *     (the template's visibility timeout is 12 minutes)
     * @param log where each environment's output goes, numbered: selection.log becomes selection-1.log, ...
     */
    public LocalSelectionFunction(String name, UnaryOperator<SamFunction> adapted, Duration continuationVisibility,
            Path log) {
        this.log = log;
        requestQueueUrl = sqs.createRequestQueues(name + "-requests", Duration.ofMinutes(10), 3).url();
        continuationQueueUrl = sqs.createRequestQueues(name + "-continuations", continuationVisibility, 3).url();
        Map<String, String> environment = new HashMap<>(SamTemplate.environmentFile(Path.of("env.json"), FUNCTION));
        environment.put(SelectionConfiguration.REQUEST_QUEUE_URL, requestQueueUrl);
        environment.put(SelectionConfiguration.CONTINUATION_QUEUE_URL, continuationQueueUrl);
        dynamoDb.createTable(environment.get(SelectionConfiguration.IDEMPOTENCY_TABLE));
        function = adapted.apply(SamTemplate.read(Path.of("template.yaml")).function(FUNCTION, Map.of(), environment));
        lambda = startEnvironment();
    }

    public TaggingStandIn tagging() {
        return tagging;
    }

    public ElasticMqServer sqs() {
        return sqs;
    }

    public String requestQueueUrl() {
        return requestQueueUrl;
    }

    public SamFunction function() {
        return function;
    }

    /** The execution environment now running. */
    public LocalLambda lambda() {
        return lambda;
    }

    /** Ends the environment at once, as a crash would, and starts a new one, as Lambda would for the next event. */
    public void crashAndReplace() {
        lambda.close();
        lambda = startEnvironment();
    }

    public InvocationResult invoke(String event) {
        return lambda.invoke(event);
    }

    /**
     * The next continuation, as the queue's event source receives it, waiting up to {@code wait}; null when none
     * came. It stays in flight until {@link #delete} or, after the queue's visibility timeout, is received again.
     */
    public Message nextContinuation(Duration wait) {
        List<Message> messages = sqs.client().receiveMessage(receive -> receive.queueUrl(continuationQueueUrl)
                .maxNumberOfMessages(1).waitTimeSeconds((int) wait.toSeconds())).messages();
        return messages.isEmpty() ? null : messages.getFirst();
    }

    /** The SQS event Lambda sends for the continuation. */
    public String sqsEvent(Message continuation) {
        ObjectNode event = JSON.createObjectNode();
        event.putArray("Records").addObject()
                .put("messageId", continuation.messageId())
                .put("receiptHandle", continuation.receiptHandle())
                .put("body", continuation.body())
                .put("md5OfBody", continuation.md5OfBody())
                .put("eventSource", "aws:sqs")
                .put("awsRegion", SamTemplate.REGION);
        return event.toString();
    }

    /** Removes a continuation the function carried, as the event source does after a successful invocation. */
    public void delete(Message continuation) {
        sqs.client().deleteMessage(delete -> delete.queueUrl(continuationQueueUrl)
                .receiptHandle(continuation.receiptHandle()));
    }

    /** The function's answer to one run: the selection's result, or the last of an SQS event's results. */
    public static JsonNode result(InvocationResult.Response response) {
        try {
            JsonNode answer = JSON.readTree(response.body());
            return answer.isArray() ? answer.get(answer.size() - 1) : answer;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        lambda.close();
        tagging.close();
        sqs.close();
        dynamoDb.close();
        backup.close();
    }

    private LocalLambda startEnvironment() {
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String file = log.getFileName().toString().replaceFirst("(\\.log)?$", "-" + ++environments + ".log");
        return LocalLambda.start(function, FunctionClasspath.fromBuild(Path.of("")), Map.of(
                        "AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API", tagging.endpoint().toString(),
                        "AWS_ENDPOINT_URL_SQS", sqs.endpoint().toString(),
                        "AWS_ENDPOINT_URL_DYNAMODB", dynamoDb.endpoint().toString(),
                        "AWS_ENDPOINT_URL_BACKUP", backup.endpoint().toString()),
                log.resolveSibling(file));
    }
}
