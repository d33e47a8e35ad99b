package com.example.backupjob.handler;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.example.backupjob.error.StartBackupJobException;
import com.example.backupjob.logging.InvocationLogging;
import com.example.backupjob.run.Run;
import com.example.backupjob.run.RunRequests;
import com.example.backupjob.service.StartBackupJobService;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;

/**
 * Processes the records of one SQS batch concurrently, each on its own, and reports those that started no job (a
 * request of a run that expired leaves the queue too: it is counted in its run instead).
 */
final class SqsBatchProcessor {

    // A batch holds 10 records unless a batching window is set; beyond that, ten calls at a time is plenty.
    private static final int MAX_CONCURRENT_RECORDS = 10;

    private final EventShapes shapes;
    private final StartBackupJobService service;
    private final RunRequests runRequests;
    private final ExecutorService workers = Executors.newFixedThreadPool(MAX_CONCURRENT_RECORDS,
            Thread.ofPlatform().name("sqs-record-", 1).daemon().factory());

    SqsBatchProcessor(EventShapes shapes, StartBackupJobService service, RunRequests runRequests) {
        this.shapes = shapes;
        this.service = service;
        this.runRequests = runRequests;
    }

    SQSBatchResponse process(Invocation.SqsBatch batch) {
        List<Invocation.SqsMessage> messages = batch.messages();
        List<CompletableFuture<Boolean>> jobsStarted = messages.stream()
                .map(message -> CompletableFuture.supplyAsync(
                        InvocationLogging.inCurrentContext(() -> startsJob(message, batch.invocationId())), workers))
                .toList();
        return new SQSBatchResponse(IntStream.range(0, messages.size())
                .filter(record -> !jobsStarted.get(record).join())
                .mapToObj(record -> new SQSBatchResponse.BatchItemFailure(messages.get(record).messageId()))
                .toList());
    }

    /** Whether the record started its job; whatever went wrong, Errors too, fails this record alone. */
    private boolean startsJob(Invocation.SqsMessage message, String invocationId) {
        return InvocationLogging.correlated(message.messageId(), () -> {
            try {
                InvocationLogging.reportingFailures(() -> {
                    start(message, invocationId);
                    return null;
                });
                return true;
            } catch (StartBackupJobException e) {
                // Nothing is lost: the record goes back to the queue and, in the end, to its dead-letter queue.
                return false;
            }
        });
    }

    /** A request of a fleet run (its message carries the run's attributes) is started as one; any other as today. */
    private void start(Invocation.SqsMessage message, String invocationId) {
        Optional<Run> run = shapes.run(message);
        if (run.isEmpty()) {
            service.start(shapes.request(message, invocationId));
        } else {
            runRequests.start(run.get(), message.receiveCount(), message.body(),
                    () -> shapes.request(message, invocationId));
        }
    }
}
