package com.example.backupjob.tooling.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/** A real DynamoDB-compatible server (dynalite, installed by the build with npm ci) on a free loopback port. */
public final class DynaliteServer implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final URI endpoint;
    private final DynamoDbClient admin;

    private DynaliteServer(Process process, URI endpoint) {
        this.process = process;
        this.endpoint = endpoint;
        this.admin = DynamoDbClient.builder()
                .endpointOverride(endpoint)
                .region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    public static DynaliteServer start() {
        Path cli = Path.of(System.getProperty("dynalite.dir", "src/tooling/dynalite"), "node_modules/dynalite/cli.js");
        if (!Files.exists(cli)) {
            throw new IllegalStateException(cli + " is missing: run 'mvn test-compile', which installs dynalite");
        }
        int port = freePort();
        try {
            Process process = new ProcessBuilder("node", cli.toString(), "--host", "127.0.0.1", "--port",
                    String.valueOf(port), "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0")
                    .redirectErrorStream(true)
                    .start();
            awaitListening(process);
            return new DynaliteServer(process, URI.create("http://127.0.0.1:" + port));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start dynalite with node", e);
        }
    }

    public URI endpoint() {
        return endpoint;
    }

    /** Creates the table as the template does: partition key id (S), on demand. */
    public void createTable(String name) {
        admin.createTable(table -> table.tableName(name)
                .attributeDefinitions(AttributeDefinition.builder().attributeName("id")
                        .attributeType(ScalarAttributeType.S).build())
                .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                .billingMode(BillingMode.PAY_PER_REQUEST));
        // dynalite turns a table ACTIVE on a timer, even at --createTableMs 0: on a busy machine a write right after
        // CreateTable can still find it CREATING and fail with ResourceNotFoundException.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (admin.describeTable(describe -> describe.tableName(name)).table().tableStatus() != TableStatus.ACTIVE) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("dynalite did not make table " + name + " ACTIVE within 10 s");
            }
            Thread.onSpinWait();
        }
    }

    /** A client of this server, for tests that write or read items themselves. */
    public DynamoDbClient client() {
        return admin;
    }

    /** The partition keys of every item in the table. */
    public List<String> keys(String table) {
        return admin.scanPaginator(scan -> scan.tableName(table)).items().stream()
                .map(item -> item.get("id").s())
                .toList();
    }

    /** One item, read consistently; empty when there is none. */
    public Map<String, AttributeValue> item(String table, String id) {
        return admin.getItem(get -> get.tableName(table).key(Map.of("id", AttributeValue.fromS(id)))
                .consistentRead(true)).item();
    }

    /** Rewrites one attribute of an item, as a fault or an earlier invocation could have left it. */
    public void setAttribute(String table, String id, String attribute, AttributeValue value) {
        admin.updateItem(update -> update.tableName(table)
                .key(Map.of("id", AttributeValue.fromS(id)))
                .updateExpression("SET #attribute = :value")
                .expressionAttributeNames(Map.of("#attribute", attribute))
                .expressionAttributeValues(Map.of(":value", value)));
    }

    /** Freezes the server (SIGSTOP): connections are accepted by the kernel but nothing is answered. */
    public void pause() {
        signal("-STOP");
    }

    public void resume() {
        signal("-CONT");
    }

    private void signal(String signal) {
        try {
            int exit = new ProcessBuilder("kill", signal, String.valueOf(process.pid())).start().waitFor();
            if (exit != 0) {
                throw new IllegalStateException("kill " + signal + " failed with " + exit);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        admin.close();
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private static void awaitListening(Process process) throws IOException {
        BufferedReader output = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Void> listening = CompletableFuture.runAsync(() -> {
            try {
                String line;
                while ((line = output.readLine()) != null) {
                    if (line.contains("Dynalite listening at")) {
                        return;
                    }
                }
                throw new IllegalStateException("dynalite exited before it listened");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            listening.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IllegalStateException("dynalite did not start", e);
        }
        // Keep draining its output so that it never blocks on a full pipe.
        Thread drain = new Thread(() -> output.lines().forEach(line -> { }), "dynalite-output");
        drain.setDaemon(true);
        drain.start();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
