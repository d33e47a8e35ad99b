package com.example.backupjob.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.example.backupjob.config.AwsClients;
import com.example.backupjob.deadline.InvocationDeadline;
import com.example.backupjob.logging.InvocationLogging;
import com.example.backupjob.request.RequestReader;
import com.example.backupjob.selection.RequestQueue;
import com.example.backupjob.selection.SelectionConfiguration;
import com.example.backupjob.selection.SelectionReader;
import com.example.backupjob.selection.SelectionResult;
import com.example.backupjob.selection.SelectionService;
import com.example.backupjob.selection.TaggedResources;
import com.example.backupjob.service.IncomingRequest;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Lambda entry point of the tag selection function: reads a selection request (plain, or an EventBridge event's
 * detail), queues one backup request per selected resource and answers what it matched, queued and skipped.
 */
public final class SelectBackupResourcesHandler implements RequestStreamHandler {

    private static final ObjectMapper JSON = EventShapes.STRICT_JSON;

    private final EventShapes shapes = new EventShapes(JSON);
    private final InvocationDeadline deadline = new InvocationDeadline(AwsClients.CALL_TIMEOUT);
    private final SelectionService service;

    /** Used by the Lambda runtime: configuration from the environment; only the Tagging API and SQS clients. */
    public SelectBackupResourcesHandler() {
        this(SelectionConfiguration.fromEnvironment(System.getenv(), JSON), new AwsClients());
    }

    /** Used by tests and local runs, with a configuration and clients of their own. */
    public SelectBackupResourcesHandler(SelectionConfiguration configuration, AwsClients clients) {
        this.service = new SelectionService(new SelectionReader(new RequestReader(configuration.requestDefaults())),
                new TaggedResources(clients.tagging(), deadline),
                new RequestQueue(clients.sqs(), configuration.requestQueueUrl(), deadline));
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        SelectionResult result = InvocationLogging.during(context, () -> {
            deadline.startInvocation(context);
            return InvocationLogging.reportingFailures(() -> {
                IncomingRequest request = shapes.single(shapes.read(input), context.getAwsRequestId());
                return request.eventId() == null ? service.select(request)
                        : InvocationLogging.correlated(request.eventId(), () -> service.select(request));
            });
        });
        JSON.writeValue(output, result);
    }
}
