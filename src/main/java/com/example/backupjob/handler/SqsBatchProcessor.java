package com.example.backupjob.handler;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.example.backupjob.error.StartBackupJobException;
import com.example.backupjob.logging.InvocationLogging;
import com.example.backupjob.service.StartBackupJobService;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;

/** Processes the records of one SQS batch concurrently, each on its own, and reports those that started no job. */
final class SqsBatchProcessor {

    // A batch holds 10 records unless a batching window is set; beyond that, ten calls at a time is plenty.
    private static final int MAX_CONCURRENT_RECORDS = 10;

    private final EventShapes shapes;
    private final StartBackupJobService service;
    private final ExecutorService workers = Executors.newFixedThreadPool(MAX_CONCURRENT_RECORDS,
            Thread.ofPlatform().name("sqs-record-", 1).daemon().factory());

    SqsBatchProcessor(EventShapes shapes, StartBackupJobService service) {
        this.shapes = shapes;
        this.service = service;
    }

    SQSBatchResponse process(List<Invocation.SqsMessage> messages) {
        List<CompletableFuture<Boolean>> jobsStarted = messages.stream()
                .map(message -> CompletableFuture.supplyAsync(
                        InvocationLogging.inCurrentContext(() -> startsJob(message)), workers))
                .toList();
        return new SQSBatchResponse(IntStream.range(0, messages.size())
                .filter(record -> !jobsStarted.get(record).join())
                .mapToObj(record -> new SQSBatchResponse.BatchItemFailure(messages.get(record).messageId()))
                .toList());
    }

    private boolean startsJob(Invocation.SqsMessage message) {
        return InvocationLogging.correlated(message.messageId(), () -> {
            try {
                service.start(shapes.request(message));
                return true;
            } catch (StartBackupJobException e) {
                InvocationLogging.failure(e);
                return false;
            } catch (RuntimeException e) {
                // Nothing is lost: whatever went wrong, the record goes back to the queue and, in the end, to its DLQ.
                InvocationLogging.unexpected(e);
                return false;
            }
        });
    }
}
