package com.example.backupjob.tooling.runtime;

import com.example.backupjob.tooling.support.ElasticMqServer;
import com.example.backupjob.tooling.support.ElasticMqServer.RequestQueues;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.GetQueueAttributesRequest;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Lambda's event source mapping for SQS, on this machine: one poller per execution environment (as many as the
 * mapping's MaximumConcurrency), each receiving up to a batch of messages, invoking its environment with them as an
 * SQS event (system and message attributes included), and deleting the records that succeeded. The others (those
 * in batchItemFailures, or all of them when the invocation failed) reappear after the queue's visibility timeout,
 * until its redrive policy moves them to the dead-letter queue.
 */
public final class LocalEventSourceMapping implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ElasticMqServer server;
    private final SqsClient sqs;
    private final RequestQueues queues;
    private final String queueArn;
    private final int batchSize;
    private final ExecutorService pollers;
    private final AtomicInteger invocations = new AtomicInteger();
    private final AtomicInteger failedInvocations = new AtomicInteger();
    private final AtomicInteger firstDeliveryFailures = new AtomicInteger();
    private final AtomicInteger recordsFailed = new AtomicInteger();
    private volatile boolean stopped;

    private LocalEventSourceMapping(ElasticMqServer server, RequestQueues queues, List<LocalLambda> environments,
            int batchSize) {
        this.server = server;
        this.sqs = server.client();
        this.queues = queues;
        this.batchSize = batchSize;
        this.queueArn = sqs.getQueueAttributes(GetQueueAttributesRequest.builder().queueUrl(queues.url())
                .attributeNames(QueueAttributeName.QUEUE_ARN).build()).attributes().get(QueueAttributeName.QUEUE_ARN);
        this.pollers = Executors.newFixedThreadPool(environments.size());
        environments.forEach(environment -> pollers.execute(() -> poll(environment)));
    }

    /** Starts polling the request queue, one poller per environment. */
    public static LocalEventSourceMapping start(ElasticMqServer server, RequestQueues queues,
            List<LocalLambda> environments, int batchSize) {
        return new LocalEventSourceMapping(server, queues, environments, batchSize);
    }

    /** Waits until the queue holds no message, visible or in flight; false if it still did after the timeout. */
    public boolean awaitDrained(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (server.messageCount(queues.url()) > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        return true;
    }

    /** How many times the function was invoked. */
    public int invocations() {
        return invocations.get();
    }

    /** How many invocations failed as a whole (a function error or a timeout), leaving all their records. */
    public int failedInvocations() {
        return failedInvocations.get();
    }

    /** How many records came back unprocessed, on any delivery. */
    public int recordsFailed() {
        return recordsFailed.get();
    }

    /** How many records came back unprocessed on their first delivery. */
    public int firstDeliveryFailures() {
        return firstDeliveryFailures.get();
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        pollers.shutdown();
        pollers.awaitTermination(1, TimeUnit.MINUTES);
    }

    private void poll(LocalLambda environment) {
        while (!stopped) {
            List<Message> messages = sqs.receiveMessage(receive -> receive.queueUrl(queues.url())
                    .maxNumberOfMessages(batchSize)
                    .waitTimeSeconds(1)
                    .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                    .messageAttributeNames("All")).messages();
            if (!messages.isEmpty()) {
                deliver(environment, messages);
            }
        }
    }

    private void deliver(LocalLambda environment, List<Message> messages) {
        invocations.incrementAndGet();
        InvocationResult result = environment.invoke(sqsEvent(messages));
        Set<String> failed = switch (result) {
            case InvocationResult.Response response -> batchItemFailures(response.body());
            case InvocationResult.Error error -> {
                failedInvocations.incrementAndGet();
                yield new HashSet<>(messages.stream().map(Message::messageId).toList());
            }
        };
        List<DeleteMessageBatchRequestEntry> processed = messages.stream()
                .filter(message -> !failed.contains(message.messageId()))
                .map(message -> DeleteMessageBatchRequestEntry.builder()
                        .id(message.messageId()).receiptHandle(message.receiptHandle()).build())
                .toList();
        if (!processed.isEmpty()) {
            sqs.deleteMessageBatch(delete -> delete.queueUrl(queues.url()).entries(processed));
        }
        messages.stream().filter(message -> failed.contains(message.messageId())).forEach(message -> {
            recordsFailed.incrementAndGet();
            if ("1".equals(message.attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT))) {
                firstDeliveryFailures.incrementAndGet();
            }
        });
    }

    /** The event Lambda sends for these messages. */
    private String sqsEvent(List<Message> messages) {
        ObjectNode event = JSON.createObjectNode();
        ArrayNode records = event.putArray("Records");
        for (Message message : messages) {
            ObjectNode record = records.addObject()
                    .put("messageId", message.messageId())
                    .put("receiptHandle", message.receiptHandle())
                    .put("body", message.body());
            ObjectNode attributes = record.putObject("attributes");
            message.attributes().forEach((name, value) -> attributes.put(name.toString(), value));
            ObjectNode messageAttributes = record.putObject("messageAttributes");
            // As Lambda writes them: every field, lower camel case, the list fields empty.
            message.messageAttributes().forEach((name, value) -> {
                ObjectNode attribute = messageAttributes.putObject(name);
                attribute.put("stringValue", value.stringValue());
                attribute.putArray("stringListValues");
                attribute.putArray("binaryListValues");
                attribute.put("dataType", value.dataType());
            });
            record.put("md5OfBody", message.md5OfBody())
                    .put("eventSource", "aws:sqs")
                    .put("eventSourceARN", queueArn)
                    .put("awsRegion", SamTemplate.REGION);
        }
        return event.toString();
    }

    private static Set<String> batchItemFailures(String response) {
        try {
            JsonNode failures = JSON.readTree(response).path("batchItemFailures");
            return new HashSet<>(failures.findValuesAsText("itemIdentifier"));
        } catch (IOException e) {
            throw new UncheckedIOException("The function's answer is not JSON: " + response, e);
        }
    }
}
