package com.example.backupjob.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.example.backupjob.config.AwsClients;
import com.example.backupjob.deadline.InvocationDeadline;
import com.example.backupjob.error.InvalidRequestException;
import com.example.backupjob.error.StartBackupJobException;
import com.example.backupjob.logging.InvocationLogging;
import com.example.backupjob.run.RunRecords;
import com.example.backupjob.tracking.JobStateChange;
import com.example.backupjob.tracking.RunTracker;
import com.example.backupjob.tracking.SummaryTopic;
import com.example.backupjob.tracking.TrackerConfiguration;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Lambda entry point of the run tracker: an SQS batch of AWS Backup job state changes (each counted in its run), or
 * the periodic check {@code {"CheckOpenRuns": true}} (runs due a summary, those past their deadline among them).
 */
public final class TrackBackupRunsHandler implements RequestStreamHandler {

    /** The input of the periodic check's schedule. */
    public static final String CHECK_OPEN_RUNS = "CheckOpenRuns";

    private static final ObjectMapper JSON = EventShapes.STRICT_JSON;

    private final EventShapes shapes = new EventShapes(JSON);
    private final InvocationDeadline deadline = new InvocationDeadline(AwsClients.CALL_TIMEOUT);
    private final RunTracker tracker;

    /** Used by the Lambda runtime: configuration from the environment; only the DynamoDB and SNS clients. */
    public TrackBackupRunsHandler() {
        this(TrackerConfiguration.fromEnvironment(System.getenv()), new AwsClients());
    }

    /** Used by tests and local runs, with a configuration and clients of their own. */
    public TrackBackupRunsHandler(TrackerConfiguration configuration, AwsClients clients) {
        SummaryTopic topic = configuration.alarmTopicArn()
                .map(arn -> SummaryTopic.sns(clients.sns(), arn, deadline))
                .orElseGet(SummaryTopic::logOnly);
        this.tracker = new RunTracker(new RunRecords(clients.dynamoDb(), configuration.table(), deadline,
                Clock.systemUTC()), topic, configuration.table(), configuration.region(), Clock.systemUTC());
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        Object response = InvocationLogging.during(context, () -> {
            deadline.startInvocation(context);
            Invocation invocation = InvocationLogging.reportingFailures(
                    () -> shapes.classify(shapes.read(input), context.getAwsRequestId()));
            // The tracker logs its own failures, each with the run it concerns.
            return switch (invocation) {
                case Invocation.SqsBatch batch -> track(batch);
                case Invocation.Single single when single.request().request().path(CHECK_OPEN_RUNS).asBoolean() ->
                        tracker.checkOpenRuns();
                case Invocation.Single single -> InvocationLogging.reportingFailures(() -> {
                    throw new InvalidRequestException("Expected an SQS event of AWS Backup job state changes, or {\""
                            + CHECK_OPEN_RUNS + "\": true}");
                });
            };
        });
        JSON.writeValue(output, response);
    }

    /** Each event on its own, one after another (a few DynamoDB calls each); the failed ones are retried by SQS. */
    private SQSBatchResponse track(Invocation.SqsBatch batch) {
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        for (Invocation.SqsMessage message : batch.messages()) {
            try {
                InvocationLogging.correlated(message.messageId(), () -> {
                    JobStateChange change = InvocationLogging.reportingFailures(() -> JobStateChange.of(
                            shapes.parse(message.body() == null ? "null" : message.body())));
                    tracker.track(change);
                    return null;
                });
            } catch (StartBackupJobException e) {
                failures.add(new SQSBatchResponse.BatchItemFailure(message.messageId()));
            }
        }
        return new SQSBatchResponse(failures);
    }
}
