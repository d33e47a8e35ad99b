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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * A local AWS Backup endpoint for StartBackupJob (rest-json PUT /backup-jobs): it checks each request as the
 * service does, answers with a new job, and answers a repeated IdempotencyToken with the job it already started.
 * It may also throttle as the service's request-rate quota does: a token bucket that holds one second of calls.
 */
public final class BackupStandIn implements AutoCloseable {

    private static final Pattern VAULT_NAME = Pattern.compile("^[a-zA-Z0-9\\-_]{2,50}$");
    private static final long MAX_WINDOW_MINUTES = 52_560_000L;

    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, String> jobsByToken = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> jobsByResource = new ConcurrentHashMap<>();
    private final AtomicInteger throttledCalls = new AtomicInteger();
    private final HttpServer server;
    private final Duration latency;
    private double callsPerSecond = Double.POSITIVE_INFINITY;
    private double tokens;
    private long refilledNanos = System.nanoTime();

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

    /** Starts the stand-in throttling StartBackupJob above the given rate, as the service's quota does. */
    public static BackupStandIn start(Duration latency, double callsPerSecond) {
        BackupStandIn standIn = start(latency);
        standIn.throttleAbove(callsPerSecond);
        return standIn;
    }

    /** From now on, answers calls above this rate with ThrottlingException; 0 throttles every call. */
    public synchronized void throttleAbove(double callsPerSecond) {
        this.callsPerSecond = callsPerSecond;
        this.tokens = bucketSize();
        this.refilledNanos = System.nanoTime();
    }

    /** How many calls it answered with ThrottlingException. */
    public int throttledCalls() {
        return throttledCalls.get();
    }

    /** How many jobs it started beyond the first for the same resource. */
    public int duplicateJobs() {
        return jobsByResource.values().stream().mapToInt(jobs -> jobs.size() - 1).sum();
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
            if (!withinQuota()) {
                throttledCalls.incrementAndGet();
                answer(exchange, 400, error("ThrottlingException", "Rate exceeded"));
                return;
            }
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
            jobsByResource.computeIfAbsent(request.get("ResourceArn").asText(), ignored -> ConcurrentHashMap.newKeySet())
                    .add(jobId);
            answer(exchange, 200, json.createObjectNode()
                    .put("BackupJobId", jobId)
                    .put("CreationDate", System.currentTimeMillis() / 1000.0)
                    .put("IsParent", false));
        }
    }

    /** Takes a token from the bucket, which refills at the quota's rate and holds at most one second of calls. */
    private synchronized boolean withinQuota() {
        if (callsPerSecond == Double.POSITIVE_INFINITY) {
            return true;
        }
        long now = System.nanoTime();
        tokens = Math.min(bucketSize(), tokens + callsPerSecond * (now - refilledNanos) / 1e9);
        refilledNanos = now;
        if (tokens < 1) {
            return false;
        }
        tokens--;
        return true;
    }

    private double bucketSize() {
        return callsPerSecond == 0 ? 0 : Math.max(1, callsPerSecond);
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
