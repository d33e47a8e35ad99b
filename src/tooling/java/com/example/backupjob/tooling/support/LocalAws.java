package com.example.backupjob.tooling.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.example.backupjob.config.AwsClients;
import com.example.backupjob.config.Configuration;
import com.example.backupjob.handler.StartBackupJobHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The function against local stand-ins: WireMock for the AWS Backup endpoint and dynalite for DynamoDB, both
 * started once per test JVM and reached through the SDK's standard endpoint overrides. Each test starts with a
 * new idempotency table, a Backup endpoint that starts every job, and no captured logs.
 */
public final class LocalAws implements BeforeEachCallback {

    public static final String VAULT = "Default";
    public static final String ROLE_ARN = "arn:aws:iam::123456789012:role/service-role/AWSBackupDefaultServiceRole";
    public static final String DEFAULT_RESOURCE_ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/orders";
    public static final String BACKUP_JOBS_PATH = "/backup-jobs";

    private static final String BACKUP_ENDPOINT_PROPERTY = "aws.endpointUrlBackup";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Servers SERVERS = Servers.start();

    private static final LogCapture LOGS = LogCapture.attach();
    private static final AtomicInteger TABLES = new AtomicInteger();

    private String table;

    /** Stand-ins shared by all tests of the JVM; stopped when it exits. */
    private record Servers(WireMockServer backup, DynaliteServer dynamoDb) {
        static Servers start() {
            WireMockServer backup = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
            backup.start();
            DynaliteServer dynamoDb = DynaliteServer.start();
            System.setProperty(BACKUP_ENDPOINT_PROPERTY, backup.baseUrl());
            System.setProperty("aws.endpointUrlDynamoDb", dynamoDb.endpoint().toString());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                backup.stop();
                dynamoDb.close();
            }));
            return new Servers(backup, dynamoDb);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        SERVERS.backup().resetAll();
        answerBackupWith(startedJob());
        useNewIdempotencyTable();
        LOGS.clear();
    }

    /** Points the handlers built from now on at a new, empty idempotency table, as if the store forgot. */
    public void useNewIdempotencyTable() {
        table = "idempotency-" + TABLES.incrementAndGet();
        SERVERS.dynamoDb().createTable(table);
    }

    /** The environment of the sample deployment (env.json), with the given variables replaced or added. */
    public Map<String, String> environment(Map<String, String> overrides) {
        Map<String, String> environment = new HashMap<>(Map.of(
                Configuration.BACKUP_VAULT_NAME, VAULT,
                Configuration.BACKUP_ROLE_ARN, ROLE_ARN,
                Configuration.BACKUP_DEFAULTS, "{\"ResourceArn\": \"" + DEFAULT_RESOURCE_ARN + "\"}",
                Configuration.IDEMPOTENCY_TABLE, table,
                // A raised quota: tests of other behaviour still reserve every start, but seldom wait for one.
                Configuration.START_BACKUP_JOB_RATE, "1000"));
        environment.putAll(overrides);
        return environment;
    }

    public StartBackupJobHandler handler() {
        return handler(Map.of());
    }

    public StartBackupJobHandler handler(Map<String, String> environmentOverrides) {
        return new StartBackupJobHandler(
                Configuration.fromEnvironment(environment(environmentOverrides), JSON), new AwsClients());
    }

    /** A handler whose AWS Backup is the given endpoint rather than WireMock; DynamoDB is still dynalite. */
    public StartBackupJobHandler handler(Map<String, String> environmentOverrides, URI backupEndpoint) {
        // The SDK reads the endpoint override when it builds a client, and the handler builds its clients at once.
        System.setProperty(BACKUP_ENDPOINT_PROPERTY, backupEndpoint.toString());
        try {
            return handler(environmentOverrides);
        } finally {
            System.setProperty(BACKUP_ENDPOINT_PROPERTY, SERVERS.backup().baseUrl());
        }
    }

    /** Invokes a handler of the artifact as the Lambda runtime would, with a fresh request id. */
    public static Outcome invoke(RequestStreamHandler handler, String event) {
        return invoke(handler, event, LambdaTestContext.create());
    }

    public static Outcome invoke(RequestStreamHandler handler, String event, Context context) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try {
            handler.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), output, context);
            return new Outcome(output.toString(StandardCharsets.UTF_8), null);
        } catch (RuntimeException e) {
            return new Outcome(null, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The text of a sample event from events/, the same file that sam local invoke and the README use. */
    public static String event(String fileName) {
        try {
            return Files.readString(Path.of("events", fileName));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An SQS event whose records, with message ids m-0, m-1 and on, carry the given bodies. */
    public static String sqsEvent(List<String> bodies) {
        ObjectNode event = JSON.createObjectNode();
        ArrayNode records = event.putArray("Records");
        for (int i = 0; i < bodies.size(); i++) {
            records.addObject().put("messageId", "m-" + i).put("eventSource", "aws:sqs").put("body", bodies.get(i));
        }
        return event.toString();
    }

    public static ResponseDefinitionBuilder startedJob() {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"BackupJobId\": \"{{randomValue type='UUID'}}\", \"CreationDate\": 1764082800.087, "
                        + "\"IsParent\": false}")
                .withTransformers("response-template");
    }

    /** An AWS Backup error as the service sends it: status, error type header and JSON body. */
    public static ResponseDefinitionBuilder serviceError(int status, String code, String message) {
        return aResponse().withStatus(status)
                .withHeader("Content-Type", "application/json")
                .withHeader("x-amzn-ErrorType", code)
                .withBody("{\"__type\": \"" + code + "\", \"Message\": \"" + message + "\"}");
    }

    public void answerBackupWith(ResponseDefinitionBuilder response) {
        SERVERS.backup().stubFor(backupCall().willReturn(response));
    }

    public static MappingBuilder backupCall() {
        return put(urlEqualTo(BACKUP_JOBS_PATH));
    }

    public WireMockServer backup() {
        return SERVERS.backup();
    }

    /** The keys of the idempotency records in this test's table (which also holds the request-rate schedule). */
    public List<String> idempotencyRecords() {
        return SERVERS.dynamoDb().keys(table).stream().filter(key -> key.contains(".startOnce#")).toList();
    }

    /** The name of this test's idempotency table. */
    public String idempotencyTable() {
        return table;
    }

    public DynaliteServer dynamoDb() {
        return SERVERS.dynamoDb();
    }

    /** The StartBackupJob calls the Backup endpoint received, their bodies parsed. */
    public List<JsonNode> backupCalls() {
        return SERVERS.backup().findAll(putRequestedFor(urlEqualTo(BACKUP_JOBS_PATH))).stream()
                .map(LoggedRequest::getBodyAsString)
                .map(LocalAws::parse)
                .toList();
    }

    /** Waits until the Backup endpoint has received this many calls, the last possibly still being answered. */
    public void awaitBackupCalls(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (backupCalls().size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("AWS Backup received " + backupCalls().size() + " of " + count + " calls");
            }
            TimeUnit.MILLISECONDS.sleep(5);
        }
    }

    public List<JsonNode> logLines() {
        return LOGS.lines().stream().map(LocalAws::parse).toList();
    }

    /** The log lines exactly as written, whether they parse as JSON or not. */
    public List<String> logText() {
        return LOGS.lines();
    }

    /** Forgets the log lines captured so far, so that the next ones are one invocation's. */
    public void clearLogs() {
        LOGS.clear();
    }

    public static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What one invocation gave: the response JSON, or the exception the runtime would report. */
    public record Outcome(String response, RuntimeException error) {
        public JsonNode json() {
            if (error != null) {
                throw new AssertionError("The invocation failed", error);
            }
            return parse(response);
        }
    }
}
