package com.example.backupjob.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.example.backupjob.backup.JobMarkers;
import com.example.backupjob.config.AwsClients;
import com.example.backupjob.copy.CopyConfiguration;
import com.example.backupjob.copy.CopyJobs;
import com.example.backupjob.copy.CopyService;
import com.example.backupjob.deadline.InvocationDeadline;
import com.example.backupjob.error.InvalidRequestException;
import com.example.backupjob.error.StartBackupJobException;
import com.example.backupjob.logging.InvocationLogging;
import com.example.backupjob.pacing.SharedRequestRate;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Lambda entry point of the copy function: reads the SQS batch of AWS Backup job state change events the copy queue
 * delivers (or one such event invoked directly, to replay it), copies each completed recovery point of this stack to
 * every destination, and reports the records that failed.
 */
public final class CopyBackupsHandler implements RequestStreamHandler {

    private static final ObjectMapper JSON = EventShapes.STRICT_JSON;

    private final EventShapes shapes = new EventShapes(JSON);
    private final InvocationDeadline deadline = new InvocationDeadline(AwsClients.CALL_TIMEOUT);
    private final CopyService service;

    /** Used by the Lambda runtime: configuration from the environment; only the Backup and DynamoDB clients. */
    public CopyBackupsHandler() {
        this(CopyConfiguration.fromEnvironment(System.getenv(), JSON), new AwsClients());
    }

    /** Used by tests and local runs, with a configuration and clients of their own. */
    public CopyBackupsHandler(CopyConfiguration configuration, AwsClients clients) {
        DynamoDbClient dynamoDb = clients.dynamoDb();
        SharedRequestRate rate = new SharedRequestRate(dynamoDb, configuration.idempotencyTable(), "StartCopyJob",
                configuration.startCopyJobRate(), deadline);
        this.service = new CopyService(configuration,
                new JobMarkers(dynamoDb, configuration.idempotencyTable(), deadline),
                new CopyJobs(clients.backup(), deadline, rate));
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        Object response = InvocationLogging.during(context, () -> {
            deadline.startInvocation(context);
            return InvocationLogging.reportingFailures(() -> {
                JsonNode event = shapes.read(input);
                if (shapes.classify(event, context.getAwsRequestId()) instanceof Invocation.SqsBatch batch) {
                    return process(batch);
                }
                service.copy(event);
                return Map.of();
            });
        });
        JSON.writeValue(output, response);
    }

    /** One record after the other: each reaches the shared rate in turn anyway. */
    private SQSBatchResponse process(Invocation.SqsBatch batch) {
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        for (Invocation.SqsMessage message : batch.messages()) {
            if (!copied(message)) {
                failures.add(new SQSBatchResponse.BatchItemFailure(message.messageId()));
            }
        }
        return new SQSBatchResponse(failures);
    }

    /** Whether the record's event was handled; whatever went wrong, Errors too, fails this record alone. */
    private boolean copied(Invocation.SqsMessage message) {
        return InvocationLogging.correlated(message.messageId(), () -> {
            try {
                InvocationLogging.reportingFailures(() -> {
                    if (message.body() == null) {
                        throw new InvalidRequestException("The SQS message has no body");
                    }
                    service.copy(shapes.parse(message.body()));
                    return null;
                });
                return true;
            } catch (StartBackupJobException e) {
                // Nothing is lost: the record goes back to the queue and, in the end, to its dead-letter queue.
                return false;
            }
        });
    }
}
