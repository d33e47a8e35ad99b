package com.example.backupjob.tooling.support;

import com.example.backupjob.config.AwsClients;
import com.example.backupjob.handler.SelectBackupResourcesHandler;
import com.example.backupjob.selection.SelectionConfiguration;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The tag selection function against local stand-ins: {@link TaggingStandIn} for the Resource Groups Tagging API,
 * ElasticMQ for the request queue and the continuation queue, dynalite for the runs' records and
 * {@link BackupStandIn} for the Region's opt-in settings, started once per test JVM and reached through the SDK's
 * standard endpoint overrides. Each test starts with no tagged resources, no recorded calls, new and empty queues
 * and a new table.
 */
public final class LocalSelection implements BeforeEachCallback {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Servers SERVERS = Servers.start();
    private static final AtomicInteger TESTS = new AtomicInteger();

    private ElasticMqServer.RequestQueues queue;
    private ElasticMqServer.RequestQueues continuationQueue;
    private String table;

    /** Stand-ins shared by all tests of the JVM; stopped when it exits. */
    private record Servers(TaggingStandIn tagging, ElasticMqServer sqs, DynaliteServer dynamoDb, BackupStandIn backup) {
        static Servers start() {
            TaggingStandIn tagging = TaggingStandIn.start();
            ElasticMqServer sqs = ElasticMqServer.start();
            DynaliteServer dynamoDb = DynaliteServer.start();
            BackupStandIn backup = BackupStandIn.start(Duration.ZERO);
            System.setProperty("aws.endpointUrlResourceGroupsTaggingApi", tagging.endpoint().toString());
            System.setProperty("aws.endpointUrlSqs", sqs.endpoint().toString());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                tagging.close();
                sqs.close();
                dynamoDb.close();
                backup.close();
            }));
            return new Servers(tagging, sqs, dynamoDb, backup);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        SERVERS.tagging().reset();
        SERVERS.backup().resetRegionSettings();
        SimulatedFaults.stopFailingRunSaves();
        int test = TESTS.incrementAndGet();
        queue = SERVERS.sqs().createRequestQueues("requests-" + test, Duration.ofSeconds(60), 3);
        continuationQueue = SERVERS.sqs().createRequestQueues("continuations-" + test, Duration.ofSeconds(60), 3);
        table = "selection-" + test;
        SERVERS.dynamoDb().createTable(table);
    }

    public TaggingStandIn tagging() {
        return SERVERS.tagging();
    }

    public ElasticMqServer sqs() {
        return SERVERS.sqs();
    }

    /** AWS Backup, for DescribeRegionSettings. */
    public BackupStandIn backup() {
        return SERVERS.backup();
    }

    public String queueUrl() {
        return queue.url();
    }

    /** The environment of the sample deployment (env.json's defaults, this test's queues and table), with overrides. */
    public Map<String, String> environment(Map<String, String> overrides) {
        Map<String, String> environment = new HashMap<>(Map.of(
                SelectionConfiguration.BACKUP_VAULT_NAME, LocalAws.VAULT,
                SelectionConfiguration.BACKUP_ROLE_ARN, LocalAws.ROLE_ARN,
                SelectionConfiguration.BACKUP_DEFAULTS, "{\"ResourceArn\": \"" + LocalAws.DEFAULT_RESOURCE_ARN + "\"}",
                SelectionConfiguration.REQUEST_QUEUE_URL, queue.url(),
                SelectionConfiguration.CONTINUATION_QUEUE_URL, continuationQueue.url(),
                SelectionConfiguration.IDEMPOTENCY_TABLE, table));
        environment.putAll(overrides);
        return environment;
    }

    public SelectBackupResourcesHandler handler() {
        return handler(Map.of());
    }

    public SelectBackupResourcesHandler handler(Map<String, String> environmentOverrides) {
        return handlerWith(Map.of(), environmentOverrides);
    }

    /** A handler whose SQS calls go to another endpoint, e.g. a fault-injecting proxy in front of ElasticMQ. */
    public SelectBackupResourcesHandler handlerSendingThrough(URI sqsEndpoint) {
        return handlerWith(Map.of("aws.endpointUrlSqs", sqsEndpoint.toString()), Map.of());
    }

    /**
     * A handler whose clients are built with these endpoint overrides in place. DynamoDB and AWS Backup are set only
     * while the handler builds its clients: a test may also run the StartBackupJob function (LocalAws), whose
     * clients reach its own dynalite and Backup endpoint through the same system properties.
     */
    private SelectBackupResourcesHandler handlerWith(Map<String, String> endpoints,
            Map<String, String> environmentOverrides) {
        Map<String, String> properties = new HashMap<>(Map.of(
                "aws.endpointUrlDynamoDb", SERVERS.dynamoDb().endpoint().toString(),
                "aws.endpointUrlBackup", SERVERS.backup().endpoint().toString()));
        properties.putAll(endpoints);
        return withProperties(properties, () -> new SelectBackupResourcesHandler(
                SelectionConfiguration.fromEnvironment(environment(environmentOverrides), JSON), new AwsClients()));
    }

    private static synchronized <T> T withProperties(Map<String, String> properties, Supplier<T> work) {
        Map<String, String> previous = new HashMap<>();
        properties.forEach((name, value) -> previous.put(name, System.setProperty(name, value)));
        try {
            return work.get();
        } finally {
            previous.forEach((name, value) -> {
                if (value == null) {
                    System.clearProperty(name);
                } else {
                    System.setProperty(name, value);
                }
            });
        }
    }

    /**
     * Receives every visible message of this test's request queue, with their attributes; they stay invisible for the
     * rest of the test (its queue's visibility timeout is a minute), as if consumed.
     */
    public List<Message> drainQueue() {
        return drain(queue.url());
    }

    /** The bodies of every visible message of this test's request queue, parsed. */
    public List<JsonNode> queuedRequests() {
        return drainQueue().stream().map(Message::body).map(LocalAws::parse).toList();
    }

    public int messagesQueued() {
        return SERVERS.sqs().messageCount(queue.url());
    }

    /** The messages waiting on the continuation queue, received as its event source would receive them. */
    public List<Message> continuations() {
        return drain(continuationQueue.url());
    }

    /** The run's record, {@code run#<key>}; empty when there is none. */
    public Map<String, AttributeValue> runRecord(String selectionKey) {
        return SERVERS.dynamoDb().item(table, "run#" + selectionKey);
    }

    /** Rewrites one attribute of the run's record, as time or another writer could have left it. */
    public void setRunAttribute(String selectionKey, String attribute, AttributeValue value) {
        SERVERS.dynamoDb().setAttribute(table, "run#" + selectionKey, attribute, value);
    }

    /** The SelectionKeys listed in {@code runs#open}. */
    public Set<String> openRuns() {
        AttributeValue keys = SERVERS.dynamoDb().item(table, "runs#open").get("keys");
        return keys == null ? Set.of() : Set.copyOf(keys.ss());
    }

    /** The ids of every item in this test's table. */
    public List<String> tableKeys() {
        return SERVERS.dynamoDb().keys(table);
    }

    private List<Message> drain(String url) {
        List<Message> messages = new ArrayList<>();
        while (true) {
            List<Message> received = SERVERS.sqs().client().receiveMessage(receive -> receive.queueUrl(url)
                    .maxNumberOfMessages(10).messageAttributeNames("All")).messages();
            if (received.isEmpty()) {
                return messages;
            }
            messages.addAll(received);
        }
    }
}
