package com.example.backupjob.tooling.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A local AWS Backup endpoint for StartBackupJob (rest-json PUT /backup-jobs): it checks each request as the
 * service does, answers with a new job, and answers a repeated IdempotencyToken with the job it already started.
 * It may also throttle as the service's request-rate quota does: a token bucket that holds one second of calls.
 * DescribeBackupJob (GET /backup-jobs/{id}) shows each job CREATED, then RUNNING, then in the state a test chose;
 * a test may also end jobs itself, each in a state of its own. Every job that ends emits a "Backup Job State
 * Change" event, as AWS Backup sends to EventBridge, for a test to deliver where the rule would.
 *
 * <p>Copies (service model backup/2018-11-15): StartCopyJob (PUT /copy-jobs) checks the required fields and values as
 * the model and the service do, copies only recovery points of its own completed jobs from their own vault, and
 * answers a repeated IdempotencyToken with the copy job it already started; DescribeCopyJob (GET /copy-jobs/{id})
 * and ListCopyJobs (GET /copy-jobs/ with its query filters) show each copy job CREATED, then RUNNING, then in the
 * state a test chose, one step per look. It emits the EventBridge events AWS Backup sends, "Backup Job State Change"
 * and "Copy Job State Change", for a test to deliver.
 *
 * <p>DescribeRegionSettings (GET /account-settings, as the service model backup-2018-11-15 has it) answers the Region's
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
    private final List<Integer> startAnswers = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private final Duration latency;
    private final Map<String, StartedJob> startedJobs = new ConcurrentHashMap<>();
    private final Map<String, DescribedJob> describedJobs = new ConcurrentHashMap<>();
    private final AtomicInteger describeCalls = new AtomicInteger();
    private final AtomicInteger throttledStarts = new AtomicInteger();
    private final Set<String> ended = ConcurrentHashMap.newKeySet();
    private final CopyJobs copies = new CopyJobs();
    private volatile Consumer<JsonNode> onJobEnd = event -> { };
    private final Map<String, String> refusedResources = new ConcurrentHashMap<>();
    private final Queue<String> stateChangeEvents = new ConcurrentLinkedQueue<>();
    private volatile EndState jobEnd = new EndState("COMPLETED", null);
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
        server.createContext("/copy-jobs", copies::serve);
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
            DescribedJob endedJob = new DescribedJob(end, 3, describedJob(jobId, started, end, 3));
            ended.add(jobId);
            events.add(emitStateChange(endedJob.answer()));
            return endedJob;
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

    /** The HTTP status of each StartBackupJob answer since the last {@link #forgetStartAnswers()}, in order. */
    public List<Integer> startAnswers() {
        return List.copyOf(startAnswers);
    }

    /** Starts counting StartBackupJob answers afresh. */
    public void forgetStartAnswers() {
        startAnswers.clear();
    }

    /** The last DescribeBackupJob answer it gave for the job, if it described it. */
    public Optional<JsonNode> lastDescribed(String jobId) {
        return Optional.ofNullable(describedJobs.get(jobId)).map(DescribedJob::answer);
    }

    /**
     * Ends the job now, in the state of {@link #endJobsIn} (as its third describe would), and returns the "Backup Job
     * State Change" event AWS Backup sends for it: a COMPLETED job's recovery point in its resources.
     */
    public JsonNode finishJob(String jobId) {
        StartedJob started = startedJobs.get(jobId);
        if (started == null) {
            throw new IllegalArgumentException("No job " + jobId);
        }
        EndState end = jobEnd;
        DescribedJob described = describedJobs.compute(jobId, (id, before) -> before != null && before.describes() > 2
                ? before : new DescribedJob(end, 3, describedJob(jobId, started, end, 3)));
        ended.add(jobId);
        return jobStateChange(described.answer());
    }

    /** Calls {@code listener} with the state change event of each job as it ends on a describe, before answering. */
    public void onJobEnd(Consumer<JsonNode> listener) {
        onJobEnd = listener;
    }

    /** Copy jobs from now on show, from their third look on, {@code finalState} with {@code statusMessage}. */
    public void endCopyJobsIn(String finalState, String statusMessage) {
        copies.end = new EndState(finalState, statusMessage);
    }

    /** The next {@code count} StartCopyJob calls answer ThrottlingException and start nothing (0 stops it). */
    public void throttleCopyStarts(int count) {
        copies.throttled.set(count);
    }

    /** StartCopyJob into this destination answers AccessDeniedException, as when its vault's access policy refuses. */
    public void refuseCopiesInto(String destinationVaultArn) {
        copies.refused.add(destinationVaultArn);
    }

    /** StartCopyJob into this destination is accepted again. */
    public void acceptCopiesInto(String destinationVaultArn) {
        copies.refused.remove(destinationVaultArn);
    }

    /** Every copy job started, as its StartCopyJob request (the first, for a token sent again). */
    public List<JsonNode> copyJobRequests() {
        return copies.jobs.values().stream().sorted((a, b) -> a.created().compareTo(b.created()))
                .map(CopyJob::request).toList();
    }

    /** How many StartCopyJob calls it answered, throttled and refused ones included. */
    public int copyStartCalls() {
        return copies.startCalls.get();
    }

    /** The ids of the copy jobs started so far. */
    public List<String> copyJobIds() {
        return copies.jobs.values().stream().sorted((a, b) -> a.created().compareTo(b.created()))
                .map(CopyJob::id).toList();
    }

    /** Ends the copy job now and returns the "Copy Job State Change" event AWS Backup sends for it. */
    public JsonNode finishCopyJob(String copyJobId) {
        CopyJob job = copies.jobs.get(copyJobId);
        if (job == null) {
            throw new IllegalArgumentException("No copy job " + copyJobId);
        }
        while (job.looks().get() < 3) {
            copies.look(job);
        }
        return copies.stateChange(copies.look(job));
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
        return invalidLifecycle(request.path("Lifecycle"));
    }

    /** What the service says of a Lifecycle it refuses, a backup's or a copy's; null when it accepts it. */
    private static String invalidLifecycle(JsonNode lifecycle) {
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
        if (exchange.getRequestURI().getPath().equals("/backup-jobs")) {
            // Counted before it is sent, so that a caller that has its answer finds it counted.
            startAnswers.add(status);
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
                return new DescribedJob(before.end(), describes, describedJob(jobId, started, before.end(), describes));
            });
            if (described != null && described.describes() == 3 && ended.add(jobId)) {
                emitStateChange(described.answer());
            }
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
        JsonNode event = jobStateChange(job);
        String text = event.toString();
        stateChangeEvents.add(text);
        onJobEnd.accept(event);
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
                String recoveryPoint = "arn:aws:backup:" + REGION + ":" + account + ":recovery-point:"
                        + UUID.nameUUIDFromBytes(jobId.getBytes(StandardCharsets.UTF_8));
                job.put("RecoveryPointArn", recoveryPoint);
                copies.recoveryPoints.put(recoveryPoint, job);
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

    /** The "Backup Job State Change" event of a job as DescribeBackupJob shows it. */
    private JsonNode jobStateChange(JsonNode described) {
        ObjectNode event = event("Backup Job State Change", described.path("AccountId").asText());
        ArrayNode resources = event.putArray("resources");
        if (described.has("RecoveryPointArn") && described.path("State").asText().equals("COMPLETED")) {
            resources.add(described.path("RecoveryPointArn").asText());
        }
        ObjectNode detail = event.putObject("detail")
                .put("backupJobId", described.path("BackupJobId").asText())
                .put("backupVaultArn", described.path("BackupVaultArn").asText())
                .put("backupVaultName", described.path("BackupVaultName").asText())
                .put("bytesTransferred", "1073741824")
                .put("creationDate", isoDate(described.path("CreationDate")))
                .put("iamRoleArn", described.path("IamRoleArn").asText())
                .put("resourceArn", described.path("ResourceArn").asText())
                .put("resourceType", resourceType(described.path("ResourceArn").asText()))
                .put("state", described.path("State").asText())
                .put("completionDate", isoDate(described.path("CompletionDate")))
                .put("percentDone", 100);
        if (described.has("StatusMessage")) {
            detail.put("statusMessage", described.path("StatusMessage").asText());
        }
        if (described.has("BackupSizeInBytes")) {
            detail.put("backupSizeInBytes", described.path("BackupSizeInBytes").asText());
        }
        return event;
    }

    private ObjectNode event(String detailType, String account) {
        return json.createObjectNode()
                .put("version", "0")
                .put("id", UUID.randomUUID().toString())
                .put("detail-type", detailType)
                .put("source", "aws.backup")
                .put("account", account)
                .put("time", Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString())
                .put("region", REGION);
    }

    private static String isoDate(JsonNode epochSeconds) {
        return Instant.ofEpochMilli(Math.round(epochSeconds.asDouble() * 1000)).toString();
    }

    /** A copy job: its request, when it was created, how often it was looked at, and the end it was given. */
    private record CopyJob(String id, JsonNode request, Instant created, AtomicInteger looks, EndState end) {
    }

    /** StartCopyJob, DescribeCopyJob and ListCopyJobs, on the recovery points of the stand-in's own jobs. */
    private final class CopyJobs {

        /** Recovery points of completed jobs, with the DescribeBackupJob answer that made them. */
        private final Map<String, JsonNode> recoveryPoints = new ConcurrentHashMap<>();
        private final Map<String, String> byToken = new ConcurrentHashMap<>();
        private final Map<String, CopyJob> jobs = new ConcurrentHashMap<>();
        private final AtomicInteger throttled = new AtomicInteger();
        private final AtomicInteger startCalls = new AtomicInteger();
        private final Set<String> refused = ConcurrentHashMap.newKeySet();
        private volatile EndState end = new EndState("COMPLETED", null);

        void serve(HttpExchange exchange) throws IOException {
            try (exchange) {
                pause();
                String path = exchange.getRequestURI().getPath();
                String method = exchange.getRequestMethod();
                if (method.equals("PUT") && path.equals("/copy-jobs")) {
                    start(exchange);
                } else if (method.equals("GET") && path.equals("/copy-jobs/")) {
                    list(exchange);
                } else if (method.equals("GET") && path.startsWith("/copy-jobs/")) {
                    describe(exchange, path.substring("/copy-jobs/".length()));
                } else {
                    answer(exchange, 405, error("InvalidRequestException", "Not served here: " + method + " " + path));
                }
            }
        }

        private void start(HttpExchange exchange) throws IOException {
            startCalls.incrementAndGet();
            if (throttled.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
                throttledCalls.incrementAndGet();
                answer(exchange, 400, error("ThrottlingException", "Rate exceeded"));
                return;
            }
            JsonNode request = json.readTree(exchange.getRequestBody());
            List<String> missing = new ArrayList<>();
            for (String field : List.of("RecoveryPointArn", "SourceBackupVaultName", "DestinationBackupVaultArn",
                    "IamRoleArn")) {
                if (!request.path(field).isTextual()) {
                    missing.add(field);
                }
            }
            if (!missing.isEmpty()) {
                answer(exchange, 400, error("MissingParameterValueException", "Missing " + missing));
                return;
            }
            String invalid = invalidCopy(request);
            if (invalid != null) {
                answer(exchange, 400, error("InvalidParameterValueException", invalid));
                return;
            }
            JsonNode source = recoveryPoints.get(request.get("RecoveryPointArn").asText());
            if (source == null || !source.path("BackupVaultName").asText()
                    .equals(request.get("SourceBackupVaultName").asText())) {
                answer(exchange, 400, error("ResourceNotFoundException", "Recovery point not found in vault "
                        + request.get("SourceBackupVaultName").asText()));
                return;
            }
            if (refused.contains(request.get("DestinationBackupVaultArn").asText())) {
                answer(exchange, 400, error("AccessDeniedException", "Insufficient privileges to copy into "
                        + request.get("DestinationBackupVaultArn").asText()));
                return;
            }
            String token = request.path("IdempotencyToken").asText(UUID.randomUUID().toString());
            String id = byToken.computeIfAbsent(token, ignored -> {
                String copyJobId = UUID.randomUUID().toString().toUpperCase();
                jobs.put(copyJobId, new CopyJob(copyJobId, request, Instant.now(), new AtomicInteger(), end));
                return copyJobId;
            });
            answer(exchange, 200, json.createObjectNode()
                    .put("CopyJobId", id)
                    .put("CreationDate", jobs.get(id).created().toEpochMilli() / 1000.0)
                    .put("IsParent", false));
        }

        private static String invalidCopy(JsonNode request) {
            if (!VAULT_NAME.matcher(request.path("SourceBackupVaultName").asText()).matches()) {
                return "Invalid backup vault name";
            }
            if (!request.path("DestinationBackupVaultArn").asText()
                    .matches("^arn:aws[a-z-]*:backup:[a-z0-9-]+:\\d{12}:backup-vault:[a-zA-Z0-9\\-_]{2,50}$")) {
                return "Invalid destination backup vault ARN";
            }
            if (!request.path("IamRoleArn").asText().matches("^arn:aws[a-z-]*:iam::\\d{12}:role/.+$")) {
                return "Invalid IAM role ARN";
            }
            return invalidLifecycle(request.path("Lifecycle"));
        }

        private void describe(HttpExchange exchange, String id) throws IOException {
            CopyJob job = jobs.get(id);
            if (job == null) {
                answer(exchange, 400, error("ResourceNotFoundException", "Cannot find copy job " + id));
                return;
            }
            answer(exchange, 200, json.createObjectNode().set("CopyJob", look(job)));
        }

        private void list(HttpExchange exchange) throws IOException {
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            int maxResults = query.containsKey("maxResults") ? Integer.parseInt(query.get("maxResults")) : 1000;
            if (maxResults < 1 || maxResults > 1000) {
                answer(exchange, 400, error("InvalidParameterValueException", "MaxResults must be from 1 to 1000"));
                return;
            }
            ArrayNode listed = json.createArrayNode();
            jobs.values().stream().sorted((a, b) -> a.created().compareTo(b.created()))
                    .filter(job -> matches(query.get("sourceRecoveryPointArn"), job.request().path("RecoveryPointArn")))
                    .filter(job -> matches(query.get("destinationVaultArn"), job.request().path("DestinationBackupVaultArn")))
                    .filter(job -> matches(query.get("resourceArn"), recoveryPoints.get(
                            job.request().path("RecoveryPointArn").asText()).path("ResourceArn")))
                    .limit(maxResults)
                    .map(this::look)
                    .filter(job -> matches(query.get("state"), job.path("State")))
                    .forEach(listed::add);
            ObjectNode page = json.createObjectNode();
            page.set("CopyJobs", listed);
            answer(exchange, 200, page);
        }

        private static boolean matches(String filter, JsonNode value) {
            return filter == null || filter.equals(value.asText());
        }

        private static Map<String, String> query(String raw) {
            Map<String, String> query = new java.util.HashMap<>();
            if (raw != null) {
                for (String pair : raw.split("&")) {
                    String[] parts = pair.split("=", 2);
                    query.put(java.net.URLDecoder.decode(parts[0], StandardCharsets.UTF_8),
                            parts.length > 1 ? java.net.URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : "");
                }
            }
            return query;
        }

        /** The copy job as the API shows it at this look: CREATED, RUNNING, then its end. */
        private ObjectNode look(CopyJob job) {
            int looks = Math.min(3, job.looks().incrementAndGet());
            JsonNode request = job.request();
            JsonNode source = recoveryPoints.get(request.path("RecoveryPointArn").asText());
            String state = switch (looks) {
                case 1 -> "CREATED";
                case 2 -> "RUNNING";
                default -> job.end().state();
            };
            ObjectNode answer = json.createObjectNode()
                    .put("AccountId", source.path("AccountId").asText())
                    .put("CopyJobId", job.id())
                    .put("SourceBackupVaultArn", source.path("BackupVaultArn").asText())
                    .put("SourceRecoveryPointArn", request.path("RecoveryPointArn").asText())
                    .put("DestinationBackupVaultArn", request.path("DestinationBackupVaultArn").asText())
                    .put("ResourceArn", source.path("ResourceArn").asText())
                    .put("ResourceType", "DynamoDB")
                    .put("CreationDate", job.created().toEpochMilli() / 1000.0)
                    .put("State", state)
                    .put("IamRoleArn", request.path("IamRoleArn").asText())
                    .put("IsParent", false);
            if (looks > 2) {
                answer.put("CompletionDate", Instant.now().toEpochMilli() / 1000.0);
                if (job.end().statusMessage() != null) {
                    answer.put("StatusMessage", job.end().statusMessage());
                }
                if (state.equals("COMPLETED")) {
                    String destination = request.path("DestinationBackupVaultArn").asText();
                    String[] arn = destination.split(":");
                    answer.put("DestinationRecoveryPointArn", "arn:aws:backup:" + arn[3] + ":" + arn[4]
                            + ":recovery-point:" + UUID.nameUUIDFromBytes(job.id().getBytes(StandardCharsets.UTF_8)));
                    answer.put("BackupSizeInBytes", 1_073_741_824L);
                }
            }
            return answer;
        }

        /** The "Copy Job State Change" event of a copy job as the API shows it. */
        JsonNode stateChange(JsonNode copyJob) {
            ObjectNode event = event("Copy Job State Change", copyJob.path("AccountId").asText());
            event.putArray("resources").add(copyJob.path("SourceRecoveryPointArn").asText());
            ObjectNode detail = event.putObject("detail")
                    .put("copyJobId", copyJob.path("CopyJobId").asText())
                    .put("backupSizeInBytes", 1_073_741_824L)
                    .put("creationDate", isoDate(copyJob.path("CreationDate")))
                    .put("iamRoleArn", copyJob.path("IamRoleArn").asText())
                    .put("resourceArn", copyJob.path("ResourceArn").asText())
                    .put("resourceType", copyJob.path("ResourceType").asText())
                    .put("sourceBackupVaultArn", copyJob.path("SourceBackupVaultArn").asText())
                    .put("state", copyJob.path("State").asText())
                    .put("completionDate", isoDate(copyJob.path("CompletionDate")))
                    .put("destinationBackupVaultArn", copyJob.path("DestinationBackupVaultArn").asText());
            if (copyJob.has("StatusMessage")) {
                detail.put("statusMessage", copyJob.path("StatusMessage").asText());
            }
            if (copyJob.has("DestinationRecoveryPointArn")) {
                detail.put("destinationRecoveryPointArn", copyJob.path("DestinationRecoveryPointArn").asText());
            } else {
                detail.putObject("destinationRecoveryPointArn");
            }
            return event;
        }
    }
}
