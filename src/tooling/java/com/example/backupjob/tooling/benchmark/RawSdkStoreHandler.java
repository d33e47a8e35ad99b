package com.example.backupjob.tooling.benchmark;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Benchmark baseline for warm latency: the SDK calls the function makes for a new request and nothing else. It writes
 * the store's two records as Powertools does (a conditional PutItem, then an UpdateItem) around {@link RawSdkHandler}'s
 * StartBackupJob, preceded by the shared request rate's reservation (one UpdateItem), so the function's warm latency
 * minus this one is what our code and Powertools cost.
 */
public final class RawSdkStoreHandler implements RequestStreamHandler {

    private final RawSdkHandler backup = new RawSdkHandler();
    private final DynamoDbClient store = DynamoDbClient.builder()
            .httpClient(UrlConnectionHttpClient.create())
            .build();
    private final String table = System.getenv("IDEMPOTENCY_TABLE");

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        Map<String, AttributeValue> key = Map.of("id", AttributeValue.fromS("raw#" + UUID.randomUUID()));
        long now = Instant.now().getEpochSecond();
        store.putItem(put -> put.tableName(table)
                .item(Map.of("id", key.get("id"), "status", AttributeValue.fromS("INPROGRESS"),
                        "expiration", AttributeValue.fromN(String.valueOf(now + 3600))))
                .conditionExpression("attribute_not_exists(id) OR expiration < :now")
                .expressionAttributeValues(Map.of(":now", AttributeValue.fromN(String.valueOf(now)))));
        store.updateItem(update -> update.tableName(table).key(Map.of("id", AttributeValue.fromS("rate#raw")))
                .updateExpression("SET nextStartMicros = :next")
                .expressionAttributeValues(Map.of(":next", AttributeValue.fromN(String.valueOf(now * 1_000_000)))));
        backup.handleRequest(input, output, context);
        store.updateItem(update -> update.tableName(table).key(key)
                .updateExpression("SET #s = :s, #d = :d")
                .expressionAttributeNames(Map.of("#s", "status", "#d", "data"))
                .expressionAttributeValues(Map.of(":s", AttributeValue.fromS("COMPLETED"),
                        ":d", AttributeValue.fromS("{\"BackupJobId\":\"x\"}"))));
    }
}
