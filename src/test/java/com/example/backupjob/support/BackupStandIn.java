package com.example.backupjob.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * A local AWS Backup endpoint for StartBackupJob (rest-json PUT /backup-jobs): it checks each request as the
 * service does, answers with a new job, and answers a repeated IdempotencyToken with the job it already started.
 */
public final class BackupStandIn implements AutoCloseable {

    private static final Pattern VAULT_NAME = Pattern.compile("^[a-zA-Z0-9\\-_]{2,50}$");
    private static final long MAX_WINDOW_MINUTES = 52_560_000L;

    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, String> jobsByToken = new ConcurrentHashMap<>();
    private final HttpServer server;
    private final Duration latency;

    private BackupStandIn(Duration latency) throws IOException {
        this.latency = latency;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/backup-jobs", this::startBackupJob);
        server.start();
    }

    /** Starts the stand-in on a free loopback port; each answer waits the given latency, as a real call would. */
    public static BackupStandIn start(Duration latency) {
        try {
            return new BackupStandIn(latency);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** How many jobs it started. */
    public int jobsStarted() {
        return jobsByToken.size();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void startBackupJob(HttpExchange exchange) throws IOException {
        try (exchange) {
            pause();
            if (!exchange.getRequestMethod().equals("PUT")) {
                answer(exchange, 405, error("InvalidRequestException", "Only PUT /backup-jobs is served here"));
                return;
            }
            JsonNode request = json.readTree(exchange.getRequestBody());
            List<String> missing = new ArrayList<>();
            for (String field : List.of("BackupVaultName", "ResourceArn", "IamRoleArn")) {
                if (!request.path(field).isTextual()) {
                    missing.add(field);
                }
            }
            if (!missing.isEmpty()) {
                answer(exchange, 400, error("MissingParameterValueException", "Missing " + missing));
                return;
            }
            String invalid = invalidParameter(request);
            if (invalid != null) {
                answer(exchange, 400, error("InvalidParameterValueException", invalid));
                return;
            }
            String token = request.path("IdempotencyToken").asText(UUID.randomUUID().toString());
            String jobId = jobsByToken.computeIfAbsent(token, ignored -> UUID.randomUUID().toString().toUpperCase());
            answer(exchange, 200, json.createObjectNode()
                    .put("BackupJobId", jobId)
                    .put("CreationDate", System.currentTimeMillis() / 1000.0)
                    .put("IsParent", false));
        }
    }

    private static String invalidParameter(JsonNode request) {
        if (!VAULT_NAME.matcher(request.path("BackupVaultName").asText()).matches()) {
            return "Invalid backup vault name";
        }
        if (!request.path("ResourceArn").asText().startsWith("arn:")) {
            return "Invalid ARN";
        }
        if (!request.path("IamRoleArn").asText().matches("^arn:aws[a-z-]*:iam::\\d{12}:role/.+$")) {
            return "Invalid IAM role ARN";
        }
        long start = request.path("StartWindowMinutes").asLong(60);
        long complete = request.path("CompleteWindowMinutes").asLong(1);
        if (start < 60 || start > MAX_WINDOW_MINUTES || complete < 1 || complete > MAX_WINDOW_MINUTES) {
            return "Invalid start or complete window";
        }
        JsonNode lifecycle = request.path("Lifecycle");
        if (lifecycle.has("DeleteAfterEvent")) {
            return "DeleteAfterEvent is not valid as input";
        }
        if (lifecycle.has("MoveToColdStorageAfterDays") && lifecycle.has("DeleteAfterDays")
                && lifecycle.get("DeleteAfterDays").asLong() < lifecycle.get("MoveToColdStorageAfterDays").asLong() + 90) {
            return "DeleteAfterDays must be at least 90 days after MoveToColdStorageAfterDays";
        }
        return null;
    }

    private JsonNode error(String code, String message) {
        return json.createObjectNode().put("__type", code).put("Message", message);
    }

    private void answer(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        if (body.has("__type")) {
            exchange.getResponseHeaders().set("x-amzn-ErrorType", body.get("__type").asText());
        }
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private void pause() {
        if (latency.isZero()) {
            return;
        }
        try {
            Thread.sleep(latency);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
