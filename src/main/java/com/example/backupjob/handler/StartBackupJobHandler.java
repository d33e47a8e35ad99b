package com.example.backupjob.handler;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.example.backupjob.backup.BackupJobStarter;
import com.example.backupjob.backup.BackupJobs;
import com.example.backupjob.backup.DryRunBackupJobs;
import com.example.backupjob.config.AwsClients;
import com.example.backupjob.config.Configuration;
import com.example.backupjob.deadline.InvocationDeadline;
import com.example.backupjob.idempotency.IdempotentBackupJobs;
import com.example.backupjob.logging.InvocationLogging;
import com.example.backupjob.pacing.SharedRequestRate;
import com.example.backupjob.request.RequestReader;
import com.example.backupjob.run.RequestCounter;
import com.example.backupjob.run.RunRecords;
import com.example.backupjob.run.RunRequests;
import com.example.backupjob.service.StartBackupJobService;
import com.example.backupjob.snapstart.SnapStartPriming;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Lambda entry point: reads the raw event, starts the backup job(s) and writes the contract's response. */
public final class StartBackupJobHandler implements RequestStreamHandler {

    private static final ObjectMapper JSON = EventShapes.STRICT_JSON;

    private final EventShapes shapes = new EventShapes(JSON);
    private final InvocationDeadline deadline = new InvocationDeadline(AwsClients.CALL_TIMEOUT);
    private final BackupJobStarter backupJobs;
    private final StartBackupJobService service;
    private final SqsBatchProcessor batchProcessor;
    /** Held so that it stays registered: CRaC keeps only weak references to resources. */
    private final SnapStartPriming priming;

    /** Used by the Lambda runtime: configuration from the environment, clients built once per environment. */
    public StartBackupJobHandler() {
        this(Configuration.fromEnvironment(System.getenv(), JSON), new AwsClients());
    }

    /** Used by tests and local runs, with a configuration and clients of their own. */
    public StartBackupJobHandler(Configuration configuration, AwsClients clients) {
        RequestCounter runCounts;
        if (configuration.dryRun()) {
            this.backupJobs = new DryRunBackupJobs();
            runCounts = RequestCounter.DRY_RUN;
        } else {
            DynamoDbClient dynamoDb = clients.dynamoDb();
            this.backupJobs = idempotentBackupJobs(configuration, clients, dynamoDb);
            runCounts = new RunRecords(dynamoDb, configuration.idempotencyTable(), deadline, Clock.systemUTC());
        }
        this.service = new StartBackupJobService(new RequestReader(configuration.requestDefaults()), backupJobs);
        this.batchProcessor = new SqsBatchProcessor(shapes, service, new RunRequests(service, runCounts,
                configuration.requestMaxReceiveCount(), Clock.systemUTC()));
        this.priming = SnapStartPriming.register(JSON, configuration.requestDefaults());
    }

    private IdempotentBackupJobs idempotentBackupJobs(Configuration configuration, AwsClients clients,
            DynamoDbClient dynamoDb) {
        SharedRequestRate requestRate = new SharedRequestRate(dynamoDb, configuration.idempotencyTable(),
                configuration.startBackupJobRate(), deadline);
        return new IdempotentBackupJobs(new BackupJobs(clients.backup(), deadline, requestRate), dynamoDb, deadline,
                configuration.idempotencyTable(), configuration.idempotencyTtl());
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        Object response = InvocationLogging.during(context, () -> respond(input, context));
        JSON.writeValue(output, response);
    }

    private Object respond(InputStream input, Context context) {
        deadline.startInvocation(context);
        backupJobs.beginInvocation(context);
        return InvocationLogging.reportingFailures(() -> switch (shapes.classify(shapes.read(input),
                context.getAwsRequestId())) {
            case Invocation.SqsBatch batch -> batchProcessor.process(batch);
            case Invocation.Single single when single.request().eventId() != null ->
                    InvocationLogging.correlated(single.request().eventId(), () -> service.start(single.request()));
            case Invocation.Single single -> service.start(single.request());
        });
    }
}
