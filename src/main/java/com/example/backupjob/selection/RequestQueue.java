package com.example.backupjob.selection;

import com.example.backupjob.deadline.InvocationDeadline;
import com.example.backupjob.error.ErrorSource;
import com.example.backupjob.error.InvalidParameterValueException;
import com.example.backupjob.error.ServiceUnavailableException;
import com.example.backupjob.error.StartBackupJobException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * Sends requests to the request queue, ten to a SendMessageBatch call, retrying the entries SQS fails, so that
 * every request is queued or the invocation fails: none is dropped silently.
 */
public final class RequestQueue {

    // SendMessageBatch takes at most 10 entries.
    private static final int BATCH_SIZE = 10;
    /*
     * The SDK retries a failed call; an entry failed inside a successful call is ours to retry: 5 attempts with
     * exponential backoff and full jitter (at most 0.1 + 0.2 + 0.4 + 0.8 s), then the invocation fails and its
     * trigger retries the whole selection, which queues the same bodies again.
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

    /**
     * @throws StartBackupJobException when a message could not be queued
     */
    void send(List<String> bodies) {
        for (int from = 0; from < bodies.size(); from += BATCH_SIZE) {
            sendBatch(bodies.subList(from, Math.min(from + BATCH_SIZE, bodies.size())));
        }
    }

    private void sendBatch(List<String> bodies) {
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
            failed = call(pending).failed();
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

    private SendMessageBatchResponse call(Map<String, String> entries) {
        try {
            return sqs.sendMessageBatch(send -> send.queueUrl(queueUrl)
                    .entries(entries.entrySet().stream()
                            .map(entry -> SendMessageBatchRequestEntry.builder()
                                    .id(entry.getKey()).messageBody(entry.getValue()).build())
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
