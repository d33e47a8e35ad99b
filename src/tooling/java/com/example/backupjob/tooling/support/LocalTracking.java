package com.example.backupjob.tooling.support;

import com.example.backupjob.config.AwsClients;
import com.example.backupjob.handler.TrackBackupRunsHandler;
import com.example.backupjob.tracking.TrackerConfiguration;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The run tracker against local stand-ins: dynalite through {@link LocalAws} (each test's new table holds the runs'
 * records), and {@link SnsStandIn} as Amazon SNS, started once per test JVM and reached through AWS_ENDPOINT_URL_SNS's
 * system property. Each test starts with nothing published.
 */
public final class LocalTracking implements BeforeEachCallback {

    public static final String TOPIC_ARN = "arn:aws:sns:eu-west-1:123456789012:backup-alarms";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SnsStandIn SNS = startSns();

    private final LocalAws aws;

    /** Register after {@code aws}, whose table it uses. */
    public LocalTracking(LocalAws aws) {
        this.aws = aws;
    }

    private static SnsStandIn startSns() {
        SnsStandIn sns = SnsStandIn.start();
        System.setProperty("aws.endpointUrlSns", sns.endpoint().toString());
        Runtime.getRuntime().addShutdownHook(new Thread(sns::close));
        return sns;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        SNS.reset();
    }

    public SnsStandIn sns() {
        return SNS;
    }

    /** The runs of this test's table. */
    public LocalRuns runs() {
        return new LocalRuns(aws.dynamoDb().client(), aws.idempotencyTable());
    }

    /** A tracker of this test's table that publishes to the alarm topic. */
    public TrackBackupRunsHandler handler() {
        return handler(Map.of(TrackerConfiguration.ALARM_TOPIC_ARN, TOPIC_ARN));
    }

    /** A tracker of this test's table, with these variables added (ALARM_TOPIC_ARN, say). */
    public TrackBackupRunsHandler handler(Map<String, String> environment) {
        Map<String, String> variables = new HashMap<>(Map.of(TrackerConfiguration.IDEMPOTENCY_TABLE,
                aws.idempotencyTable(), "AWS_REGION", "eu-west-1"));
        variables.putAll(environment);
        return new TrackBackupRunsHandler(TrackerConfiguration.fromEnvironment(variables), new AwsClients());
    }

    /** An SQS event whose records, with message ids e-0, e-1 and on, carry these EventBridge events. */
    public static String sqsEvent(List<String> events) {
        ObjectNode event = JSON.createObjectNode();
        ArrayNode records = event.putArray("Records");
        for (int i = 0; i < events.size(); i++) {
            records.addObject().put("messageId", "e-" + i).put("eventSource", "aws:sqs").put("body", events.get(i))
                    .putObject("attributes").put("ApproximateReceiveCount", "1");
        }
        return event.toString();
    }
}
