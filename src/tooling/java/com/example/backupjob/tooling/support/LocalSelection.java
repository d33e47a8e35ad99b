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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The tag selection function against local stand-ins: {@link TaggingStandIn} for the Resource Groups Tagging API
 * and ElasticMQ for the request queue, started once per test JVM and reached through the SDK's standard endpoint
 * overrides. Each test starts with no tagged resources, no recorded calls and a new, empty request queue.
 */
public final class LocalSelection implements BeforeEachCallback {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Servers SERVERS = Servers.start();
    private static final AtomicInteger QUEUES = new AtomicInteger();

    private ElasticMqServer.RequestQueues queue;

    /** Stand-ins shared by all tests of the JVM; stopped when it exits. */
    private record Servers(TaggingStandIn tagging, ElasticMqServer sqs) {
        static Servers start() {
            TaggingStandIn tagging = TaggingStandIn.start();
            ElasticMqServer sqs = ElasticMqServer.start();
            System.setProperty("aws.endpointUrlResourceGroupsTaggingApi", tagging.endpoint().toString());
            System.setProperty("aws.endpointUrlSqs", sqs.endpoint().toString());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                tagging.close();
                sqs.close();
            }));
            return new Servers(tagging, sqs);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        SERVERS.tagging().reset();
        queue = SERVERS.sqs().createRequestQueues("requests-" + QUEUES.incrementAndGet(),
                Duration.ofSeconds(60), 3);
    }

    public TaggingStandIn tagging() {
        return SERVERS.tagging();
    }

    public ElasticMqServer sqs() {
        return SERVERS.sqs();
    }

    public String queueUrl() {
        return queue.url();
    }

    /** The environment of the sample deployment (env.json's defaults and this test's queue), with overrides. */
    public Map<String, String> environment(Map<String, String> overrides) {
        Map<String, String> environment = new HashMap<>(Map.of(
                SelectionConfiguration.BACKUP_VAULT_NAME, LocalAws.VAULT,
                SelectionConfiguration.BACKUP_ROLE_ARN, LocalAws.ROLE_ARN,
                SelectionConfiguration.BACKUP_DEFAULTS, "{\"ResourceArn\": \"" + LocalAws.DEFAULT_RESOURCE_ARN + "\"}",
                SelectionConfiguration.REQUEST_QUEUE_URL, queue.url()));
        environment.putAll(overrides);
        return environment;
    }

    public SelectBackupResourcesHandler handler() {
        return handler(Map.of());
    }

    public SelectBackupResourcesHandler handler(Map<String, String> environmentOverrides) {
        return new SelectBackupResourcesHandler(
                SelectionConfiguration.fromEnvironment(environment(environmentOverrides), JSON), new AwsClients());
    }

    /** A handler whose SQS calls go to another endpoint, e.g. a fault-injecting proxy in front of ElasticMQ. */
    public SelectBackupResourcesHandler handlerSendingThrough(URI sqsEndpoint) {
        String previous = System.getProperty("aws.endpointUrlSqs");
        System.setProperty("aws.endpointUrlSqs", sqsEndpoint.toString());
        try {
            return handler();
        } finally {
            System.setProperty("aws.endpointUrlSqs", previous);
        }
    }

    /**
     * Receives every visible message of this test's queue; they stay invisible for the rest of the test (its queue's
     * visibility timeout is a minute), as if consumed.
     */
    public List<Message> drainQueue() {
        List<Message> messages = new ArrayList<>();
        while (true) {
            List<Message> received = SERVERS.sqs().client().receiveMessage(receive -> receive.queueUrl(queue.url())
                    .maxNumberOfMessages(10)).messages();
            if (received.isEmpty()) {
                return messages;
            }
            messages.addAll(received);
        }
    }

    /** The bodies of every visible message of this test's queue, parsed. */
    public List<JsonNode> queuedRequests() {
        return drainQueue().stream().map(Message::body).map(LocalAws::parse).toList();
    }

    public int messagesQueued() {
        return SERVERS.sqs().messageCount(queue.url());
    }
}
