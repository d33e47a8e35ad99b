package com.example.backupjob.snapstart;

import com.example.backupjob.backup.BackupJob;
import com.example.backupjob.backup.BackupJobs;
import com.example.backupjob.config.AwsClients;
import com.example.backupjob.deadline.InvocationDeadline;
import com.example.backupjob.idempotency.IdempotencyKeys;
import com.example.backupjob.pacing.SharedRequestRate;
import com.example.backupjob.request.BackupRequest;
import com.example.backupjob.request.RequestDefaults;
import com.example.backupjob.request.RequestReader;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.OptionalInt;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.backup.BackupClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.lambda.powertools.idempotency.IdempotencyConfig;
import software.amazon.lambda.powertools.idempotency.exceptions.IdempotencyItemNotFoundException;
import software.amazon.lambda.powertools.idempotency.persistence.BasePersistenceStore;
import software.amazon.lambda.powertools.idempotency.persistence.DynamoDBPersistenceStore;

/**
 * SnapStart priming: before Lambda snapshots an initialised environment, runs the request path once, so that a
 * restored environment finds its classes loaded and initialised, without calling AWS Backup or DynamoDB.
 *
 * <p>It parses, defaults and validates a sample request, derives its keys, starts its job through the function's
 * {@link BackupJobs} (the request-rate reservation included), and takes a record through a Powertools DynamoDB
 * store of its own as an invocation does (saved in progress, saved with the job, read, deleted; as Powertools v2
 * primes its store), all through SDK clients of its own that differ from the function's in two ways only: an HTTP
 * client that answers from memory, so nothing leaves the JVM, and fixed fake credentials, so the execution role's
 * credentials are never resolved into the snapshot. Everything else, the SDK's marshalling, signing, endpoint
 * rules, retries and unmarshalling, and Powertools' keys, hashing and result serialisation, runs as in an
 * invocation. The function's own store, which Powertools holds JVM-wide, is left alone.
 */
public final class SnapStartPriming implements Resource {

    /** Valid whatever the deployment's defaults: it sets every required field and no tags. */
    private static final String SAMPLE_REQUEST = """
            {"BackupVaultName": "snapstart-priming",
             "ResourceArn": "arn:aws:dynamodb:us-east-1:123456789012:table/snapstart-priming",
             "IamRoleArn": "arn:aws:iam::123456789012:role/snapstart-priming",
             "StartWindowMinutes": 60, "CompleteWindowMinutes": 120, "Lifecycle": {"DeleteAfterDays": 35}}""";
    private static final StaticCredentialsProvider FAKE_CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("priming", "priming"));
    private static final String PRIMING_TABLE = "snapstart-priming";
    /** What the request-rate item held before the primed reservation: a start long past, so nothing waits; the
     * store's reads find no item in it. */
    private static final String DYNAMODB_RESPONSE = "{\"Attributes\": {\"nextStartMicros\": {\"N\": \"0\"}}}";
    private static final int PRIMING_INVOCATION_MILLIS = 30_000;
    private static final String BACKUP_RESPONSE =
            "{\"BackupJobId\": \"snapstart-priming\", \"CreationDate\": 1764082800.087, \"IsParent\": false}";

    private final ObjectMapper json;
    private final RequestReader requests;

    public SnapStartPriming(ObjectMapper json, RequestDefaults defaults) {
        this.json = json;
        this.requests = new RequestReader(defaults);
    }

    /** Registers priming with the JVM's checkpoint hooks; keep the result, as CRaC holds resources weakly. */
    public static SnapStartPriming register(ObjectMapper json, RequestDefaults defaults) {
        SnapStartPriming priming = new SnapStartPriming(json, defaults);
        Core.getGlobalContext().register(priming);
        return priming;
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) throws Exception {
        BackupRequest request = requests.read(json.readTree(SAMPLE_REQUEST));
        String token = IdempotencyKeys.backupToken("snapstart-priming", request);
        InvocationDeadline deadline = new InvocationDeadline(AwsClients.CALL_TIMEOUT);
        try (BackupClient backup = BackupClient.builder()
                .httpClient(new AnsweringHttpClient(BACKUP_RESPONSE))
                .credentialsProvider(FAKE_CREDENTIALS)
                .region(Region.US_EAST_1)
                .build();
                DynamoDbClient dynamoDb = DynamoDbClient.builder()
                        .httpClient(new AnsweringHttpClient(DYNAMODB_RESPONSE))
                        .credentialsProvider(FAKE_CREDENTIALS)
                        .region(Region.US_EAST_1)
                        .build()) {
            SharedRequestRate requestRate = new SharedRequestRate(dynamoDb, PRIMING_TABLE, 1, deadline);
            BackupJob job = new BackupJobs(backup, deadline, requestRate).start(request, token);
            json.writeValueAsString(job);
            primeStore(dynamoDb, TextNode.valueOf(token), job);
        }
    }

    /** What Powertools' store does for a new request and for a duplicate, against the answering client. */
    private static void primeStore(DynamoDbClient dynamoDb, JsonNode key, BackupJob job) {
        BasePersistenceStore store = DynamoDBPersistenceStore.builder()
                .withTableName(PRIMING_TABLE)
                .withDynamoDbClient(dynamoDb)
                .build();
        store.configure(IdempotencyConfig.builder().build(), "startOnce");
        Instant now = Instant.now();
        store.saveInProgress(key, now, OptionalInt.of(PRIMING_INVOCATION_MILLIS));
        store.saveSuccess(key, job, now);
        try {
            store.getRecord(key, now);
        } catch (IdempotencyItemNotFoundException expected) {
            // The answering client has no item to return: the lookup's request and response paths have run.
        }
        store.deleteRecord(key, new IllegalStateException("priming"));
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // Nothing was opened that a restore must renew: the priming clients are closed.
    }

    /** An HTTP client that never connects: it answers every request with 200 and the given JSON. */
    private record AnsweringHttpClient(String body) implements SdkHttpClient {

        @Override
        public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
            return new ExecutableHttpRequest() {
                @Override
                public HttpExecuteResponse call() {
                    return HttpExecuteResponse.builder()
                            .response(SdkHttpResponse.builder().statusCode(200)
                                    .putHeader("Content-Type", "application/json").build())
                            .responseBody(AbortableInputStream.create(
                                    new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8))))
                            .build();
                }

                @Override
                public void abort() {
                    // Nothing is in flight.
                }
            };
        }

        @Override
        public void close() {
            // Holds nothing.
        }
    }
}
