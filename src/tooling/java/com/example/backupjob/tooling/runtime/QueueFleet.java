package com.example.backupjob.tooling.runtime;

import com.example.backupjob.config.Configuration;
import com.example.backupjob.tooling.runtime.SamTemplate.SqsEventSource;
import com.example.backupjob.tooling.support.ElasticMqServer;
import com.example.backupjob.tooling.support.ElasticMqServer.RequestQueues;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * The StartBackupJob function as Lambda runs it behind its request queue: an ElasticMQ queue with its dead-letter
 * queue, execution environments that are JVMs under the real runtime interface client, configured by template.yaml
 * and env.json, and a local event source mapping between them.
 */
public final class QueueFleet implements AutoCloseable {

    public static final String FUNCTION = "StartBackupJobFunction";
    public static final SamTemplate TEMPLATE = SamTemplate.read(Path.of("template.yaml"));
    public static final SqsEventSource EVENT_SOURCE = TEMPLATE.sqsEventSource(FUNCTION, "Requests");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ElasticMqServer sqs;
    private final RequestQueues queues;
    private final List<LocalLambda> environments;
    private final LocalEventSourceMapping mapping;

    private QueueFleet(ElasticMqServer sqs, RequestQueues queues, List<LocalLambda> environments) {
        this.sqs = sqs;
        this.queues = queues;
        this.environments = environments;
        this.mapping = LocalEventSourceMapping.start(sqs, queues, environments, EVENT_SOURCE.batchSize());
    }

    /**
     * What the fleet runs with; the queue, the environments' logs and the idempotency table (created by the caller)
     * are named after {@code name}. Each environment also gets the endpoint overrides of the stand-ins.
     */
    public record Settings(String name, int environments, Duration visibilityTimeout, double startBackupJobRate,
            UnaryOperator<SamFunction> adapted, FunctionClasspath classpath) {
    }

    /**
     * Starts the environments one after another (the runtime client's start is not safe to race) and the mapping.
     *
     * @param backup the AWS Backup endpoint
     * @param dynamoDb the DynamoDB endpoint, with the idempotency table {@code settings.name()} already created
     */
    public static QueueFleet start(Settings settings, URI backup, URI dynamoDb, ElasticMqServer sqs) {
        Map<String, String> variables = new HashMap<>(SamTemplate.environmentFile(Path.of("env.json"), FUNCTION));
        variables.put(Configuration.IDEMPOTENCY_TABLE, settings.name());
        variables.put(Configuration.START_BACKUP_JOB_RATE, String.valueOf(settings.startBackupJobRate()));
        SamFunction function = settings.adapted().apply(TEMPLATE.function(FUNCTION, Map.of(), variables));
        List<LocalLambda> environments = new ArrayList<>();
        for (int i = 0; i < settings.environments(); i++) {
            environments.add(LocalLambda.start(function, settings.classpath(), Map.of(
                            "AWS_ENDPOINT_URL_BACKUP", backup.toString(),
                            "AWS_ENDPOINT_URL_DYNAMODB", dynamoDb.toString()),
                    Path.of("target", "lambda", settings.name() + "-" + i + ".log")));
        }
        RequestQueues queues = sqs.createRequestQueues(settings.name(), settings.visibilityTimeout(),
                EVENT_SOURCE.maxReceiveCount());
        return new QueueFleet(sqs, queues, environments);
    }

    /** Queues this many plain requests, each for a resource of its own, ten to a SendMessageBatch call. */
    public void send(int requests) {
        List<SendMessageBatchRequestEntry> entries = IntStream.range(0, requests)
                .mapToObj(i -> SendMessageBatchRequestEntry.builder().id("r" + i)
                        .messageBody("{\"ResourceArn\": \"arn:aws:dynamodb:eu-west-1:123456789012:table/burst-"
                                + i + "\"}")
                        .build())
                .toList();
        for (int from = 0; from < entries.size(); from += 10) {
            List<SendMessageBatchRequestEntry> batch = entries.subList(from, Math.min(from + 10, entries.size()));
            sqs.client().sendMessageBatch(send -> send.queueUrl(queues.url()).entries(batch));
        }
    }

    /** The request queue's URL, for tests that send messages of their own. */
    public String queueUrl() {
        return queues.url();
    }

    public LocalEventSourceMapping mapping() {
        return mapping;
    }

    /** How many messages wait in the dead-letter queue. */
    public int deadLettered() {
        return sqs.messageCount(queues.deadLetterUrl());
    }

    /** The environments' peak resident memory (VmHWM), in MB, read while they run. */
    public List<Long> peakRssMegabytes() {
        return environments.stream().map(environment -> {
            try {
                return Files.readAllLines(Path.of("/proc", String.valueOf(environment.pid()), "status")).stream()
                        .filter(line -> line.startsWith("VmHWM:"))
                        .map(line -> Long.parseLong(line.replaceAll("\\D", "")) / 1024)
                        .findFirst().orElseThrow();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).toList();
    }

    /** The function's ERROR log lines since the last call: one per failed record. */
    public List<JsonNode> errorLogLines() {
        return environments.stream().flatMap(environment -> environment.newOutput().stream())
                .filter(line -> line.startsWith("{"))
                .map(QueueFleet::parse)
                .filter(line -> line.path("level").asText().equals("ERROR"))
                .toList();
    }

    @Override
    public void close() throws InterruptedException {
        mapping.close();
        environments.forEach(LocalLambda::close);
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
