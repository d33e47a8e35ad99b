package com.example.backupjob.tooling.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * DescribeBackupJob (GET /backup-jobs/{id}) shows each job CREATED, then RUNNING, then in the state a test chose.
 * DescribeRegionSettings (GET /account-settings, as the service model backup-2018-11-15 has it) answers the Region's
 * opt-in preference of each resource type, every type opted in unless a test opts some out.
 */
public final class BackupStandIn implements AutoCloseable {

    private static final Pattern VAULT_NAME = Pattern.compile("^[a-zA-Z0-9\\-_]{2,50}$");
    private static final long MAX_WINDOW_MINUTES = 52_560_000L;
    private static final String REGION = "eu-west-1";

    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, String> jobsByToken = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> jobsByResource = new ConcurrentHashMap<>();
    private final AtomicInteger throttledCalls = new AtomicInteger();
    private final HttpServer server;
    private final Duration latency;
    private final Map<String, StartedJob> startedJobs = new ConcurrentHashMap<>();
    private final Map<String, DescribedJob> describedJobs = new ConcurrentHashMap<>();
    private final AtomicInteger describeCalls = new AtomicInteger();
    private final AtomicInteger throttledStarts = new AtomicInteger();
    private volatile JobEnd jobEnd = new JobEnd("COMPLETED", null);
    /**
     * The keys DescribeRegionSettings answers with: AWS Backup's resource type names (GetSupportedResourceTypes in the
     * AWS Backup API Reference; DSQL and Redshift Serverless as the Region settings of an account name them).
     */
    public static final List<String> RESOURCE_TYPES = List.of("Aurora", "CloudFormation", "DocumentDB", "DSQL",
            "DynamoDB", "EBS", "EC2", "EFS", "EKS", "FSx", "Neptune", "RDS", "Redshift", "Redshift Serverless", "S3",
            "SAP HANA on Amazon EC2", "Storage Gateway", "Timestream", "VirtualMachine");
    private volatile Map<String, Boolean> optInPreference = allOptedIn();
    private final AtomicInteger regionSettingsCalls = new AtomicInteger();
    private final AtomicInteger regionSettingsFailuresLeft = new AtomicInteger();
    private volatile int regionSettingsFailureStatus;
    private volatile String regionSettingsFailureCode;
    private double callsPerSecond = Double.POSITIVE_INFINITY;
    private double tokens;
    private long refilledNanos = System.nanoTime();

    private BackupStandIn(Duration latency) throws IOException {
        this.latency = latency;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/backup-jobs", this::startBackupJob);
        server.createContext("/backup-jobs/", this::describeBackupJob);
        server.createContext("/account-settings", this::describeRegionSettings);
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

    /**
     * DescribeBackupJob shows each job it has not described before as CREATED, then RUNNING, then, from the third
     * describe on, in {@code finalState} with {@code statusMessage} (null for none).
     */
    public void endJobsIn(String finalState, String statusMessage) {
        jobEnd = new JobEnd(finalState, statusMessage);
    }

    /**
     * DescribeBackupJob answers ResourceNotFoundException for each job it has not described before, as AWS Backup
     * does for a job it has no record of (started in another account or Region, or gone from its history).
     */
    public void forgetJobs() {
        jobEnd = null;
    }

    /** The next {@code count} StartBackupJob calls answer ThrottlingException and start nothing. */
    public void throttleStarts(int count) {
        throttledStarts.set(count);
    }

    /** How many DescribeBackupJob calls it answered, found or not. */
    public int describeCalls() {
        return describeCalls.get();
    }

    /** The last DescribeBackupJob answer it gave for the job, if it described it. */
    public Optional<JsonNode> lastDescribed(String jobId) {
        return Optional.ofNullable(describedJobs.get(jobId)).map(DescribedJob::answer);
    }

    /** The Region's opt-in preferences from now on: these types opted out, every other one opted in. */
    public void optOut(String... resourceTypes) {
        Map<String, Boolean> preference = allOptedIn();
        for (String type : resourceTypes) {
            preference.put(type, false);
        }
        optInPreference = preference;
    }

    /** The next {@code calls} DescribeRegionSettings calls fail with this status and error code. */
    public void failRegionSettings(int calls, int status, String code) {
        regionSettingsFailureStatus = status;
        regionSettingsFailureCode = code;
        regionSettingsFailuresLeft.set(calls);
    }

    /** Every type opted in, no failures, no calls counted. */
    public void resetRegionSettings() {
        optInPreference = allOptedIn();
        regionSettingsFailuresLeft.set(0);
        regionSettingsCalls.set(0);
    }

    /** How many DescribeRegionSettings calls it answered. */
    public int regionSettingsCalls() {
        return regionSettingsCalls.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private static Map<String, Boolean> allOptedIn() {
        Map<String, Boolean> preference = new java.util.TreeMap<>();
        RESOURCE_TYPES.forEach(type -> preference.put(type, true));
        return preference;
    }

    private void describeRegionSettings(HttpExchange exchange) throws IOException {
        try (exchange) {
            pause();
            regionSettingsCalls.incrementAndGet();
            if (!exchange.getRequestMethod().equals("GET")) {
                answer(exchange, 405, error("InvalidRequestException", "Only GET /account-settings is served here"));
                return;
            }
            if (regionSettingsFailuresLeft.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
                answer(exchange, regionSettingsFailureStatus, error(regionSettingsFailureCode, "Refused by BackupStandIn"));
                return;
            }
            ObjectNode settings = json.createObjectNode();
            ObjectNode optIn = settings.putObject("ResourceTypeOptInPreference");
            optInPreference.forEach(optIn::put);
            settings.putObject("ResourceTypeManagementPreference").put("DynamoDB", false).put("EFS", true);
            answer(exchange, 200, settings);
        }
    }

    private void startBackupJob(HttpExchange exchange) throws IOException {
        try (exchange) {
            // As the service does, a throttled call is answered at once; an accepted one takes the latency.
            if (throttled(exchange)) {
                return;
            }
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
            jobsByResource.computeIfAbsent(request.get("ResourceArn").asText(), ignored -> ConcurrentHashMap.newKeySet())
                    .add(jobId);
            startedJobs.putIfAbsent(jobId, new StartedJob(request, Instant.now()));
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

    private record StartedJob(JsonNode request, Instant created) {
    }

    private record JobEnd(String state, String statusMessage) {
    }

    /** A job as DescribeBackupJob has shown it: its end, how often it was described, and the last answer. */
    private record DescribedJob(JobEnd end, int describes, JsonNode answer) {
    }

    /** Answers ThrottlingException to a call among the next throttleStarts(count) or above the quota. */
    private boolean throttled(HttpExchange exchange) throws IOException {
        boolean throttledByCount = throttledStarts.getAndUpdate(left -> Math.max(0, left - 1)) > 0;
        if (!throttledByCount && withinQuota()) {
            return false;
        }
        throttledCalls.incrementAndGet();
        answer(exchange, 400, error("ThrottlingException", "Rate exceeded"));
        return true;
    }

    private void describeBackupJob(HttpExchange exchange) throws IOException {
        try (exchange) {
            pause();
            if (!exchange.getRequestMethod().equals("GET")) {
                answer(exchange, 405, error("InvalidRequestException", "Only GET /backup-jobs/{id} is served here"));
                return;
            }
            describeCalls.incrementAndGet();
            String jobId = exchange.getRequestURI().getPath().substring("/backup-jobs/".length());
            StartedJob started = startedJobs.get(jobId);
            JobEnd end = jobEnd;
            DescribedJob described = started == null ? null : describedJobs.compute(jobId, (id, before) -> {
                if (before == null) {
                    return end == null ? null : new DescribedJob(end, 1, describedJob(jobId, started, end, 1));
                }
                if (before.describes() > 2) {
                    return before;
                }
                int describes = before.describes() + 1;
                return new DescribedJob(before.end(), describes, describedJob(jobId, started, before.end(), describes));
            });
            if (described == null) {
                answer(exchange, 400, error("ResourceNotFoundException", "Cannot find backup job " + jobId));
                return;
            }
            answer(exchange, 200, described.answer());
        }
    }

    private JsonNode describedJob(String jobId, StartedJob started, JobEnd end, int describes) {
        JsonNode request = started.request();
        String vault = request.get("BackupVaultName").asText();
        String account = request.get("IamRoleArn").asText().split(":")[4];
        String state = switch (describes) {
            case 1 -> "CREATED";
            case 2 -> "RUNNING";
            default -> end.state();
        };
        ObjectNode job = json.createObjectNode()
                .put("AccountId", account)
                .put("BackupJobId", jobId)
                .put("BackupVaultName", vault)
                .put("BackupVaultArn", "arn:aws:backup:" + REGION + ":" + account + ":backup-vault:" + vault)
                .put("ResourceArn", request.get("ResourceArn").asText())
                .put("IamRoleArn", request.get("IamRoleArn").asText())
                .put("CreationDate", started.created().toEpochMilli() / 1000.0)
                .put("State", state)
                .put("PercentDone", state.equals("RUNNING") ? "50.0" : state.equals("CREATED") ? "0.0" : "100.0")
                .put("IsParent", false);
        if (describes > 2) {
            job.put("CompletionDate", Instant.now().toEpochMilli() / 1000.0);
            if (end.statusMessage() != null) {
                job.put("StatusMessage", end.statusMessage());
            }
            if (end.state().equals("COMPLETED") || end.state().equals("PARTIAL")) {
                job.put("RecoveryPointArn", "arn:aws:backup:" + REGION + ":" + account + ":recovery-point:"
                        + UUID.nameUUIDFromBytes(jobId.getBytes(StandardCharsets.UTF_8)));
                job.put("BackupSizeInBytes", 1_073_741_824L);
            }
        }
        return job;
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
