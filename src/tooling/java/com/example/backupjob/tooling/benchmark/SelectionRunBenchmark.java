package com.example.backupjob.tooling.benchmark;

import com.example.backupjob.tooling.runtime.InvocationResult;
import com.example.backupjob.tooling.runtime.LocalSelectionFunction;
import com.example.backupjob.tooling.support.TaggingStandIn.Resource;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * A fleet run of issue 18: one tag selection of {@code benchmark.resources} matching resources (default 100,000, all
 * of types AWS Backup supports), GetResources answering pages of 100 after {@code benchmark.taggingLatencyMs} (default
 * 300), carried over as many invocations as it takes by the continuation queue, on the function of template.yaml
 * under the real runtime interface client with its timeout shortened to {@code benchmark.timeoutSeconds} (default
 * 60, so that the run crosses several invocations), against ElasticMQ, dynalite and the Backup stand-in.
 *
 * <p>Unless {@code benchmark.crashAfterSeconds} is 0, the second invocation's environment is killed that many
 * seconds in (default 20), as a crash would end it, and its continuation delivered again to a new environment, as
 * SQS does after the visibility timeout (shortened here to 5 s). At the end it drains the request queue and counts
 * the bodies, in all and distinct, against the resources: every resource queued exactly once, but for the batch a
 * crash between its send and its save queues again. It prints each invocation, the function JVMs' peak RSS, the wall
 * time, and the time the queued requests take to start at the default StartBackupJob rate.
 *
 * <p>Run with {@code mvn -q test-compile exec:java@selection-run-benchmark}; not part of {@code mvn verify}.
 */
public final class SelectionRunBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SELECTION = """
            {"Selection": {"Tags": {"backup": ["nightly"]}}, "StartWindowMinutes": 60,
             "Lifecycle": {"DeleteAfterDays": 35}, "IdempotencyToken": "fleet-run-benchmark"}
            """;
    private static final double DEFAULT_START_BACKUP_JOB_RATE = 5;

    private final int count = Integer.getInteger("benchmark.resources", 100_000);
    private final Duration latency = Duration.ofMillis(Long.getLong("benchmark.taggingLatencyMs", 300));
    private final Duration timeout = Duration.ofSeconds(Long.getLong("benchmark.timeoutSeconds", 60));
    private final Duration crashAfter = Duration.ofSeconds(Long.getLong("benchmark.crashAfterSeconds", 20));
    private final List<Long> peakRss = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        new SelectionRunBenchmark().run();
    }

    private void run() throws Exception {
        try (LocalSelectionFunction selection = new LocalSelectionFunction("fleet-run",
                function -> function.withTimeout(timeout), Duration.ofSeconds(5),
                Path.of("target", "benchmark", "selection-run.log"))) {
            List<Resource> resources = resources(count);
            selection.tagging().hold(resources);
            selection.tagging().answerAfter(latency);
            System.out.printf("%d matching resources, GetResources pages of 100 after %d ms, function timeout %d s "
                    + "(the template's: %d s), memory %d MB%n", count, latency.toMillis(), timeout.toSeconds(),
                    templateTimeout().toSeconds(), selection.function().memorySize());
            long started = System.nanoTime();
            JsonNode result = invocation(selection, 1, () -> selection.invoke(SELECTION), null);
            int invocations = 1;
            while (!result.path("Complete").asBoolean()) {
                Message continuation = selection.nextContinuation(Duration.ofSeconds(20));
                if (continuation == null) {
                    throw new IllegalStateException("The run was not complete and nothing continued it");
                }
                invocations++;
                boolean crash = invocations == 2 && !crashAfter.isZero();
                JsonNode continued = invocation(selection, invocations,
                        () -> selection.invoke(selection.sqsEvent(continuation)), crash ? crashAfter : null);
                if (continued != null) {
                    selection.delete(continuation);
                    result = continued;
                }
            }
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            peakRss.add(peakRssMegabytes(selection));
            System.out.printf("run complete after %d invocations in %.1f s: %s%n", invocations,
                    took.toMillis() / 1000.0, result);
            System.out.printf("GetResources calls: %d; function JVMs' peak RSS: %s MB%n",
                    selection.tagging().requests().size(), peakRss);
            countQueued(selection, resources);
            double drainSeconds = count / DEFAULT_START_BACKUP_JOB_RATE;
            System.out.printf("starting %d requests at the default %.0f StartBackupJob calls a second: %.0f s, "
                    + "%.1f hours%n", count, DEFAULT_START_BACKUP_JOB_RATE, drainSeconds, drainSeconds / 3600);
        }
    }

    /**
     * One invocation, timed; with {@code crashAfter}, its environment is killed that long in and a new one started:
     * null then, as the invocation failed and its continuation stays on the queue.
     */
    private JsonNode invocation(LocalSelectionFunction selection, int number,
            java.util.function.Supplier<InvocationResult> invoke, Duration crashAfter) throws Exception {
        long start = System.nanoTime();
        CompletableFuture<InvocationResult> pending = CompletableFuture.supplyAsync(invoke);
        if (crashAfter != null) {
            try {
                pending.get(crashAfter.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                peakRss.add(peakRssMegabytes(selection));
                selection.crashAndReplace();
                System.out.printf("invocation %2d: environment killed after %d s; a new one takes the continuation "
                        + "when SQS delivers it again%n", number, crashAfter.toSeconds());
                return null;
            }
        }
        InvocationResult result = pending.get();
        long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
        selection.lambda().newOutput();
        return switch (result) {
            case InvocationResult.Response response -> {
                JsonNode answer = LocalSelectionFunction.result(response);
                System.out.printf("invocation %2d: %6.1f s  matched %6d, queued %6d, complete %s%n", number,
                        millis / 1000.0, answer.path("Matched").asLong(), answer.path("Queued").asLong(),
                        answer.path("Complete").asBoolean());
                yield answer;
            }
            case InvocationResult.Error error -> {
                System.out.printf("invocation %2d: %6.1f s  failed: %s %s%n", number, millis / 1000.0,
                        error.errorType(), error.errorMessage());
                yield null;
            }
        };
    }

    /** Every body on the request queue: in all, distinct, and whether each resource is among them. */
    private static void countQueued(LocalSelectionFunction selection, List<Resource> resources) throws IOException {
        long start = System.nanoTime();
        long total = 0;
        Set<String> bodies = new HashSet<>();
        Set<String> arns = new HashSet<>();
        while (true) {
            List<Message> messages = selection.sqs().client().receiveMessage(receive -> receive
                    .queueUrl(selection.requestQueueUrl()).maxNumberOfMessages(10)).messages();
            if (messages.isEmpty()) {
                break;
            }
            for (Message message : messages) {
                total++;
                if (bodies.add(message.body())) {
                    arns.add(JSON.readTree(message.body()).path("ResourceArn").asText());
                }
            }
        }
        long missing = resources.stream().filter(resource -> !arns.contains(resource.arn())).count();
        System.out.printf("request queue: %d bodies, %d distinct, %d distinct resources, %d resources missing "
                + "(counted in %.0f s)%n", total, bodies.size(), arns.size(), missing,
                (System.nanoTime() - start) / 1e9);
    }

    /** VmHWM of the environment now running: the most resident memory its JVM had. */
    private static long peakRssMegabytes(LocalSelectionFunction selection) throws IOException {
        return Files.readAllLines(Path.of("/proc", String.valueOf(selection.lambda().pid()), "status")).stream()
                .filter(line -> line.startsWith("VmHWM:"))
                .map(line -> Long.parseLong(line.replaceAll("\\D", "")) / 1024)
                .findFirst().orElse(-1L);
    }

    private static Duration templateTimeout() {
        return com.example.backupjob.tooling.runtime.SamTemplate.read(Path.of("template.yaml"))
                .function(LocalSelectionFunction.FUNCTION, Map.of(), com.example.backupjob.tooling.runtime.SamTemplate
                        .environmentFile(Path.of("env.json"), LocalSelectionFunction.FUNCTION)).timeout();
    }

    private static List<Resource> resources(int count) {
        Map<String, String> tags = Map.of("backup", "nightly", "env", "prod");
        List<Resource> resources = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String arn = i % 2 == 0 ? "arn:aws:dynamodb:eu-west-1:123456789012:table/table-" + i
                    : "arn:aws:ec2:eu-west-1:123456789012:volume/vol-" + Integer.toHexString(i);
            resources.add(new Resource(arn, tags));
        }
        return resources;
    }
}
