package com.example.backupjob.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.example.backupjob.backup.RegionSettings;
import com.example.backupjob.config.AwsClients;
import com.example.backupjob.deadline.InvocationDeadline;
import com.example.backupjob.logging.InvocationLogging;
import com.example.backupjob.request.RequestReader;
import com.example.backupjob.selection.RequestQueue;
import com.example.backupjob.selection.RunContinuations;
import com.example.backupjob.selection.SelectionConfiguration;
import com.example.backupjob.selection.SelectionReader;
import com.example.backupjob.selection.SelectionResult;
import com.example.backupjob.selection.SelectionRuns;
import com.example.backupjob.selection.SelectionService;
import com.example.backupjob.selection.TaggedResources;
import com.example.backupjob.service.IncomingRequest;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Lambda entry point of the tag selection function: reads a selection request (plain, or an EventBridge event's
 * detail) or the continuation of a run (an SQS event of the continuation queue, or the message itself), carries the
 * run on and answers what it matched, queued and skipped so far, and whether every page is queued.
 */
public final class SelectBackupResourcesHandler implements RequestStreamHandler {

    private static final ObjectMapper JSON = EventShapes.STRICT_JSON;

    private final EventShapes shapes = new EventShapes(JSON);
    private final InvocationDeadline deadline = new InvocationDeadline(AwsClients.CALL_TIMEOUT);
    private final SelectionService service;

    /** Used by the Lambda runtime: configuration from the environment; the clients it calls, built once. */
    public SelectBackupResourcesHandler() {
        this(SelectionConfiguration.fromEnvironment(System.getenv(), JSON), new AwsClients());
    }

    /** Used by tests and local runs, with a configuration and clients of their own. */
    public SelectBackupResourcesHandler(SelectionConfiguration configuration, AwsClients clients) {
        SqsClient sqs = clients.sqs();
        this.service = new SelectionService(new SelectionReader(new RequestReader(configuration.requestDefaults())),
                new TaggedResources(clients.tagging(), deadline),
                new RegionSettings(clients.backup(), deadline),
                new RequestQueue(sqs, configuration.requestQueueUrl(), deadline),
                new SelectionRuns(clients.dynamoDb(), configuration.idempotencyTable(), deadline),
                new RunContinuations(sqs, configuration.continuationQueueUrl(), deadline),
                deadline, configuration.requestMaxAge(), Clock.systemUTC());
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        Object result = InvocationLogging.during(context, () -> {
            deadline.startInvocation(context);
            return InvocationLogging.reportingFailures(() -> switch (shapes.classify(shapes.read(input),
                    context.getAwsRequestId())) {
                case Invocation.SqsBatch batch -> continueEach(batch);
                case Invocation.Single single when single.request().eventId() != null ->
                        InvocationLogging.correlated(single.request().eventId(), () -> service.handle(single.request()));
                case Invocation.Single single -> service.handle(single.request());
            });
        });
        JSON.writeValue(output, result);
    }

    /**
     * The records of the continuation queue, one after the other (its event source sends one at a time). A failure
     * fails the invocation, so that the queue delivers the record again; a run it carried on before stays where it
     * saved its position, so a second delivery of it changes nothing.
     */
    private List<SelectionResult> continueEach(Invocation.SqsBatch batch) {
        List<SelectionResult> results = new ArrayList<>();
        for (Invocation.SqsMessage message : batch.messages()) {
            IncomingRequest request = shapes.request(message, batch.invocationId());
            results.add(InvocationLogging.correlated(message.messageId(), () -> service.handle(request)));
        }
        return results;
    }
}
