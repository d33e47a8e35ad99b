package com.example.backupjob.tooling.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * Fleet runs as the selection leaves them, written by the tests themselves as the shared design of a run says (so
 * that the StartBackupJob side and the tracker are tested without the selection function): {@code run#<key>} with
 * its status, deadline and selection counters, the key in {@code runs#open}, and queued requests with the run's
 * message attributes. It also reads the items back, raw, for assertions.
 */
public final class LocalRuns {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration KEPT_AFTER_DEADLINE = Duration.ofDays(14);

    private final DynamoDbClient dynamoDb;
    private final String table;

    public LocalRuns(DynamoDbClient dynamoDb, String table) {
        this.dynamoDb = dynamoDb;
        this.table = table;
    }

    /**
     * Writes the run's record and opens it, as the selection does: {@code status} SELECTING while pages remain, QUEUED
     * once all are queued; {@code counters} such as {@code matched} and {@code queued}.
     */
    public void create(String selectionKey, String status, Instant deadline, Map<String, Long> counters) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("id", AttributeValue.fromS("run#" + selectionKey));
        item.put("status", AttributeValue.fromS(status));
        item.put("deadline", AttributeValue.fromN(Long.toString(deadline.getEpochSecond())));
        item.put("expiration", AttributeValue.fromN(Long.toString(deadline.plus(KEPT_AFTER_DEADLINE)
                .getEpochSecond())));
        item.put("selection", AttributeValue.fromS("{\"Tags\": {\"backup\": [\"<not read by the tracker>\"]}}"));
        counters.forEach((name, value) -> item.put(name, AttributeValue.fromN(Long.toString(value))));
        dynamoDb.putItem(put -> put.tableName(table).item(item));
        dynamoDb.updateItem(update -> update.tableName(table)
                .key(Map.of("id", AttributeValue.fromS("runs#open")))
                .updateExpression("ADD #keys :key")
                .expressionAttributeNames(Map.of("#keys", "keys"))
                .expressionAttributeValues(Map.of(":key", AttributeValue.fromSs(List.of(selectionKey)))));
    }

    /**
     * Records a job the run's request started, as StartBackupJobFunction does: {@code job#<id>} with its run and
     * resource, and 1 more {@code started}.
     */
    public void startedJob(String selectionKey, String backupJobId, String resourceArn, Instant deadline) {
        dynamoDb.putItem(put -> put.tableName(table).item(Map.of(
                "id", AttributeValue.fromS("job#" + backupJobId),
                "run", AttributeValue.fromS(selectionKey),
                "resource", AttributeValue.fromS(resourceArn),
                "expiration", AttributeValue.fromN(Long.toString(deadline.plus(KEPT_AFTER_DEADLINE)
                        .getEpochSecond())))));
        dynamoDb.updateItem(update -> update.tableName(table)
                .key(Map.of("id", AttributeValue.fromS("run#" + selectionKey)))
                .updateExpression("ADD #started :one")
                .expressionAttributeNames(Map.of("#started", "started"))
                .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1"))));
    }

    /** Sets the run's status, as the selection does once it has queued its last page. */
    public void setStatus(String selectionKey, String status) {
        dynamoDb.updateItem(update -> update.tableName(table)
                .key(Map.of("id", AttributeValue.fromS("run#" + selectionKey)))
                .updateExpression("SET #status = :status")
                .expressionAttributeNames(Map.of("#status", "status"))
                .expressionAttributeValues(Map.of(":status", AttributeValue.fromS(status))));
    }

    /** Rewrites one attribute of the run's record, as a fault or another writer could have left it. */
    public void setAttribute(String selectionKey, String attribute, AttributeValue value) {
        dynamoDb.updateItem(update -> update.tableName(table)
                .key(Map.of("id", AttributeValue.fromS("run#" + selectionKey)))
                .updateExpression("SET #attribute = :value")
                .expressionAttributeNames(Map.of("#attribute", attribute))
                .expressionAttributeValues(Map.of(":value", value)));
    }

    /** The run's record as the table holds it; empty when there is none. */
    public Map<String, AttributeValue> run(String selectionKey) {
        return item("run#" + selectionKey);
    }

    /** The run's counters, every numeric attribute of its record but the deadline and the expiration. */
    public Map<String, Long> counters(String selectionKey) {
        Map<String, Long> counters = new TreeMap<>();
        run(selectionKey).forEach((name, value) -> {
            if (value.n() != null && !Set.of("deadline", "expiration", "summaryClaimedAt", "summarySentAt")
                    .contains(name)) {
                counters.put(name, Long.parseLong(value.n()));
            }
        });
        return counters;
    }

    /** The resources the run's record lists as not completed. */
    public Set<String> incompleteResources(String selectionKey) {
        AttributeValue resources = run(selectionKey).get("incompleteResources");
        return resources == null ? Set.of() : Set.copyOf(resources.ss());
    }

    /** The job's record; empty when there is none. */
    public Map<String, AttributeValue> job(String backupJobId) {
        return item("job#" + backupJobId);
    }

    /** The SelectionKeys in {@code runs#open}. */
    public Set<String> openRuns() {
        AttributeValue keys = item("runs#open").get("keys");
        return keys == null ? Set.of() : Set.copyOf(keys.ss());
    }

    /** The ids of the job items tied to a run (every started job also has an item: its mark for copies). */
    public List<String> jobItems() {
        return dynamoDb.scanPaginator(scan -> scan.tableName(table)).items().stream()
                .filter(item -> item.get("id").s().startsWith("job#") && item.containsKey("run"))
                .map(item -> item.get("id").s())
                .toList();
    }

    private Map<String, AttributeValue> item(String id) {
        Map<String, AttributeValue> item = dynamoDb.getItem(get -> get.tableName(table)
                .key(Map.of("id", AttributeValue.fromS(id))).consistentRead(true)).item();
        return item == null ? Map.of() : item;
    }

    /** The message attributes the selection sends each request of a run with. */
    public static Map<String, MessageAttributeValue> messageAttributes(String selectionKey, Instant deadline) {
        return Map.of(
                "SelectionKey", MessageAttributeValue.builder().dataType("String").stringValue(selectionKey).build(),
                "RunDeadline", MessageAttributeValue.builder().dataType("Number")
                        .stringValue(Long.toString(deadline.getEpochSecond())).build());
    }

    /** An SQS record as Lambda delivers a request of a run: its body, the run's attributes, its receive count. */
    public static ObjectNode sqsRecord(String messageId, String body, String selectionKey, Instant deadline,
            int receiveCount) {
        ObjectNode record = JSON.createObjectNode()
                .put("messageId", messageId)
                .put("receiptHandle", "handle-" + messageId)
                .put("body", body);
        record.putObject("attributes").put("ApproximateReceiveCount", Integer.toString(receiveCount));
        ObjectNode attributes = record.putObject("messageAttributes");
        messageAttributes(selectionKey, deadline).forEach((name, value) -> {
            ObjectNode attribute = attributes.putObject(name);
            attribute.put("stringValue", value.stringValue());
            attribute.putArray("stringListValues");
            attribute.putArray("binaryListValues");
            attribute.put("dataType", value.dataType());
        });
        return record.put("eventSource", "aws:sqs")
                .put("eventSourceARN", "arn:aws:sqs:eu-west-1:123456789012:start-backup-job-requests")
                .put("awsRegion", "eu-west-1");
    }

    /** An SQS event of these records. */
    public static String sqsEvent(List<ObjectNode> records) {
        ObjectNode event = JSON.createObjectNode();
        ArrayNode array = event.putArray("Records");
        records.forEach(array::add);
        return event.toString();
    }
}
