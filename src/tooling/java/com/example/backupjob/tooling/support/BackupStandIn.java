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
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A local AWS Backup endpoint for StartBackupJob (rest-json PUT /backup-jobs): it checks each request as the
 * service does, answers with a new job, and answers a repeated IdempotencyToken with the job it already started.
 * It may also throttle as the service's request-rate quota does: a token bucket that holds one second of calls.
 * DescribeBackupJob (GET /backup-jobs/{id}) shows each job CREATED, then RUNNING, then in the state a test chose;
 * a test may also end jobs itself, each in a state of its own. Every job that ends emits a "Backup Job State
 * Change" event, as AWS Backup sends to EventBridge, for a test to deliver where the rule would.
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
    private final Map<String, String> refusedResources = new ConcurrentHashMap<>();
    private final Queue<String> stateChangeEvents = new ConcurrentLinkedQueue<>();
    private volatile EndState jobEnd = new EndState("COMPLETED", null);
    private double callsPerSecond = Double.POSITIVE_INFINITY;
    private double tokens;
    private long refilledNanos = System.nanoTime();

    private BackupStandIn(Duration latency) throws IOException {
        this.latency = latency;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/backup-jobs", this::startBackupJob);
        server.createContext("/backup-jobs/", this::describeBackupJob);
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
        jobEnd = new EndState(finalState, statusMessage);
    }

    /**
     * Ends now every job it started and has not ended, each in the state {@code endOf} gives for the job's resource
     * ARN, as AWS Backup would: DescribeBackupJob shows the job in that state from now on, and a "Backup Job State
     * Change" event is emitted for it.
     *
     * @return the events emitted, one per job ended
     */
    public List<String> endJobs(Function<String, EndState> endOf) {
        List<String> events = new ArrayList<>();
        startedJobs.forEach((jobId, started) -> describedJobs.compute(jobId, (id, before) -> {
            if (before != null && before.describes() > 2) {
                return before;
            }
            EndState end = endOf.apply(started.request().get("ResourceArn").asText());
            DescribedJob ended = new DescribedJob(end, 3, describedJob(jobId, started, end, 3));
            events.add(emitStateChange(ended.answer()));
            return ended;
        }));
        return events;
    }

    /** Every "Backup Job State Change" event emitted so far, in order: one per job that ended. */
    public List<String> stateChangeEvents() {
        return List.copyOf(stateChangeEvents);
    }

    /** The id of each job it started, by the job's resource ARN (the first job, if a resource had several). */
    public Map<String, String> jobIdsByResource() {
        Map<String, String> jobs = new HashMap<>();
        startedJobs.forEach((jobId, started) -> jobs.putIfAbsent(started.request().get("ResourceArn").asText(),
                jobId));
        return jobs;
    }

    /**
     * DescribeBackupJob answers ResourceNotFoundException for each job it has not described before, as AWS Backup
     * does for a job it has no record of (started in another account or Region, or gone from its history).
     */
    public void forgetJobs() {
        jobEnd = null;
    }

    /**
     * StartBackupJob answers every call for this resource with InvalidParameterValueException and starts nothing, as
     * AWS Backup does for a resource it cannot back up (a type not opted in, say).
     */
    public void refuseJobsOf(String resourceArn, String message) {
        refusedResources.put(resourceArn, message);
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

    @Override
    public void close() {
        server.stop(0);
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
            String invalid = refusedResources.getOrDefault(request.get("ResourceArn").asText(),
                    invalidParameter(request));
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

    /** The final state a job ends in, and its status message (null for none; COMPLETED with one has issues). */
    public record EndState(String state, String statusMessage) {

        public static EndState of(String state) {
            return new EndState(state, null);
        }
    }

    /** A job as DescribeBackupJob has shown it: its end, how often it was described, and the last answer. */
    private record DescribedJob(EndState end, int describes, JsonNode answer) {
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
            EndState end = jobEnd;
            DescribedJob described = started == null ? null : describedJobs.compute(jobId, (id, before) -> {
                if (before == null) {
                    return end == null ? null : new DescribedJob(end, 1, describedJob(jobId, started, end, 1));
                }
                if (before.describes() > 2) {
                    return before;
                }
                int describes = before.describes() + 1;
                DescribedJob next = new DescribedJob(before.end(), describes,
                        describedJob(jobId, started, before.end(), describes));
                if (describes > 2) {
                    emitStateChange(next.answer());
                }
                return next;
            });
            if (described == null) {
                answer(exchange, 400, error("ResourceNotFoundException", "Cannot find backup job " + jobId));
                return;
            }
            answer(exchange, 200, described.answer());
        }
    }

    /**
     * The event AWS Backup sends EventBridge when a job reaches its final state (the shape of the samples in
     * events/backup-job-state-change-*.json), made from the job as DescribeBackupJob shows it.
     */
    private String emitStateChange(JsonNode job) {
        ObjectNode event = json.createObjectNode()
                .put("version", "0")
                .put("id", UUID.randomUUID().toString())
                .put("detail-type", "Backup Job State Change")
                .put("source", "aws.backup")
                .put("account", job.get("AccountId").asText())
                .put("time", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString())
                .put("region", REGION);
        event.putArray("resources");
        Instant created = Instant.ofEpochMilli((long) (job.get("CreationDate").asDouble() * 1000));
        ObjectNode detail = event.putObject("detail")
                .put("backupJobId", job.get("BackupJobId").asText())
                .put("backupVaultArn", job.get("BackupVaultArn").asText())
                .put("backupVaultName", job.get("BackupVaultName").asText())
                .put("bytesTransferred", "0")
                .put("creationDate", created.toString())
                .put("iamRoleArn", job.get("IamRoleArn").asText())
                .put("resourceArn", job.get("ResourceArn").asText())
                .put("resourceType", resourceType(job.get("ResourceArn").asText()))
                .put("state", job.get("State").asText());
        if (job.has("StatusMessage")) {
            detail.put("statusMessage", job.get("StatusMessage").asText());
        }
        if (job.has("BackupSizeInBytes")) {
            detail.put("backupSizeInBytes", job.get("BackupSizeInBytes").asText());
        }
        detail.put("completionDate", Instant.now().toString())
                .put("startBy", created.plus(Duration.ofHours(1)).toString())
                .put("percentDone", 100);
        String text = event.toString();
        stateChangeEvents.add(text);
        return text;
    }

    /** AWS Backup's resourceType of an ARN's service, as far as the tests use them. */
    private static String resourceType(String resourceArn) {
        String service = resourceArn.split(":")[2];
        return switch (service) {
            case "dynamodb" -> "DynamoDB";
            case "rds" -> "RDS";
            case "ec2" -> "EBS";
            case "elasticfilesystem" -> "EFS";
            case "s3" -> "S3";
            default -> service.toUpperCase(Locale.ROOT);
        };
    }

    private JsonNode describedJob(String jobId, StartedJob started, EndState end, int describes) {
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
