package com.example.backupjob.selection;

import com.example.backupjob.deadline.InvocationDeadline;
import com.example.backupjob.error.ErrorSource;
import com.example.backupjob.error.InvalidParameterValueException;
import com.example.backupjob.error.ServiceUnavailableException;
import com.example.backupjob.error.StartBackupJobException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * Sends requests to the request queue in SendMessageBatch calls, as many to a call as SQS takes, retrying the
 * entries SQS fails, so that every request is queued or the invocation fails: none is dropped silently.
 */
public final class RequestQueue {

    // SendMessageBatch takes at most 10 entries...
    static final int MAX_ENTRIES = 10;
    /*
     * ...and at most 256 KiB of messages taken together, counted as SQS counts them: every body and every message
     * attribute's name, type and value, in UTF-8 bytes. Ten requests with 50 long tags of multi-byte characters are
     * about 580 KB. SQS raised its largest message to 1 MiB in 2025, but a queue whose MaximumMessageSize is 256 KiB
     * (the default before) keeps the lower limit; sized for it, a batch fits either queue.
     */
    static final int MAX_BATCH_BYTES = 262_144;
    /*
     * The SDK retries a failed call; an entry failed inside a successful call is ours to retry: 5 attempts with
     * exponential backoff and full jitter (at most 0.1 + 0.2 + 0.4 + 0.8 s), then the invocation fails and its
     * trigger retries the run, which resumes after the last batch it saved.
     */
    private static final int ATTEMPTS = 5;
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);

    private final SqsClient sqs;
    private final String queueUrl;
    private final InvocationDeadline deadline;

    public RequestQueue(SqsClient sqs, String queueUrl, InvocationDeadline deadline) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.deadline = deadline;
    }

    /** The names of the message attributes that tie each request to its run (contract, section 8). */
    public static final String SELECTION_KEY = "SelectionKey";
    public static final String RUN_DEADLINE = "RunDeadline";

    /**
     * The message attributes of every request of a run: its SelectionKey (String) and its deadline (Number, epoch
     * seconds), after which the request starts no job. The body stays the plain request.
     */
    static Map<String, MessageAttributeValue> runAttributes(String selectionKey, Instant runDeadline) {
        return Map.of(
                SELECTION_KEY, MessageAttributeValue.builder().dataType("String").stringValue(selectionKey).build(),
                RUN_DEADLINE, MessageAttributeValue.builder().dataType("Number")
                        .stringValue(Long.toString(runDeadline.getEpochSecond())).build());
    }

    /**
     * Queues the batch's requests, each with the batch's attributes.
     *
     * @throws StartBackupJobException when a message could not be queued
     */
    void send(Batch batch) {
        if (!batch.bodies.isEmpty()) {
            sendBatch(batch.bodies, batch.attributes);
        }
    }

    /** The bodies, in order, in as few batches as SQS takes: each at most ten, within the batch payload limit. */
    static List<List<String>> batches(List<String> bodies, Map<String, MessageAttributeValue> attributes) {
        List<List<String>> batches = new ArrayList<>();
        Batch batch = new Batch(attributes);
        for (String body : bodies) {
            if (!batch.add(body)) {
                batches.add(batch.bodies());
                batch = new Batch(attributes);
                batch.add(body);
            }
        }
        if (!batch.isEmpty()) {
            batches.add(batch.bodies());
        }
        return batches;
    }

    /** The messages of one SendMessageBatch call, each with the same message attributes. */
    static final class Batch {

        private final Map<String, MessageAttributeValue> attributes;
        private final long attributeBytes;
        private final List<String> bodies = new ArrayList<>();
        private long bytes;

        Batch(Map<String, MessageAttributeValue> attributes) {
            this.attributes = Map.copyOf(attributes);
            this.attributeBytes = attributes.entrySet().stream().mapToLong(attribute -> utf8(attribute.getKey())
                    + utf8(attribute.getValue().dataType()) + utf8(attribute.getValue().stringValue())).sum();
        }

        /**
         * Takes the body unless the batch is full: ten messages, or this one would pass the payload limit. An empty
         * batch takes any body, so that one too large for SQS is sent, and refused, rather than lost.
         */
        boolean add(String body) {
            long size = utf8(body) + attributeBytes;
            if (!bodies.isEmpty() && (bodies.size() == MAX_ENTRIES || bytes + size > MAX_BATCH_BYTES)) {
                return false;
            }
            bodies.add(body);
            bytes += size;
            return true;
        }

        boolean isEmpty() {
            return bodies.isEmpty();
        }

        List<String> bodies() {
            return List.copyOf(bodies);
        }

        private static long utf8(String text) {
            return text == null ? 0 : text.getBytes(StandardCharsets.UTF_8).length;
        }
    }

    private void sendBatch(List<String> bodies, Map<String, MessageAttributeValue> attributes) {
        // Entry ids only need to be unique within one call.
        Map<String, String> pending = new LinkedHashMap<>();
        for (int i = 0; i < bodies.size(); i++) {
            pending.put(String.valueOf(i), bodies.get(i));
        }
        List<BatchResultErrorEntry> failed = List.of();
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            if (attempt > 1) {
                backOff(attempt);
            }
            failed = call(pending, attributes).failed();
            List<BatchResultErrorEntry> rejected = failed.stream().filter(BatchResultErrorEntry::senderFault).toList();
            if (!rejected.isEmpty()) {
                throw new InvalidParameterValueException(ErrorSource.SQS, "rejected " + rejected.size() + " of "
                        + pending.size() + " messages (" + codes(rejected) + "); a retry cannot help", null);
            }
            if (failed.isEmpty()) {
                return;
            }
            pending.keySet().retainAll(failed.stream().map(BatchResultErrorEntry::id).toList());
        }
        throw new ServiceUnavailableException(ErrorSource.SQS, failed.size() + " messages could not be queued after "
                + ATTEMPTS + " attempts (" + codes(failed) + ")", null);
    }

    private SendMessageBatchResponse call(Map<String, String> entries, Map<String, MessageAttributeValue> attributes) {
        try {
            return sqs.sendMessageBatch(send -> send.queueUrl(queueUrl)
                    .entries(entries.entrySet().stream()
                            .map(entry -> SendMessageBatchRequestEntry.builder()
                                    .id(entry.getKey()).messageBody(entry.getValue())
                                    .messageAttributes(attributes).build())
                            .toList())
                    .overrideConfiguration(deadline.callOverride()));
        } catch (SdkException e) {
            // The SDK's messages name the queue and the error code, never a body.
            throw new ServiceUnavailableException(ErrorSource.SQS, "SendMessageBatch to the request queue failed: "
                    + e.getMessage(), e);
        }
    }

    private static String codes(List<BatchResultErrorEntry> failed) {
        return failed.stream().map(BatchResultErrorEntry::code).distinct().sorted().collect(Collectors.joining(", "));
    }

    private static void backOff(int attempt) {
        long ceiling = FIRST_BACKOFF.toMillis() << (attempt - 2);
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(ceiling + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServiceUnavailableException(ErrorSource.SQS, "interrupted while retrying the request queue", e);
        }
    }
}
