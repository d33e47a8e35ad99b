package com.example.backupjob.tooling.benchmark;

import com.example.backupjob.tooling.runtime.InvocationResult;
import com.example.backupjob.tooling.runtime.LocalSelectionFunction;
import com.example.backupjob.tooling.support.TaggingStandIn.Resource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How long the tag selection function takes for a large fleet: the function of template.yaml in its own JVM under
 * the real runtime interface client (the template's memory, timeout and JAVA_TOOL_OPTIONS), against the Tagging API
 * stand-in holding {@code benchmark.resources} matching resources (default 10,000, one in 20 of a type AWS Backup
 * does not support), ElasticMQ, dynalite and the Backup stand-in. It times a cold invocation (a fresh JVM), then warm
 * ones, each with every GetResources page answered at once and after {@code benchmark.taggingLatencyMs} (default
 * 300). Each invocation is a new run (its own IdempotencyToken) that fits one invocation.
 *
 * <p>Run with {@code mvn -q test-compile exec:java@selection-benchmark}; not part of {@code mvn verify}. The run of
 * 100,000 resources over several invocations: {@link SelectionRunBenchmark}.
 */
public final class SelectionBenchmark {

    private static final String SELECTION = """
            {"Selection": {"Tags": {"backup": ["nightly"], "env": ["prod", "staging"]}},
             "StartWindowMinutes": 60, "Lifecycle": {"DeleteAfterDays": 35}, "IdempotencyToken": "benchmark-%d"}
            """;

    private SelectionBenchmark() {
    }

    public static void main(String[] args) {
        int count = Integer.getInteger("benchmark.resources", 10_000);
        Duration latency = Duration.ofMillis(Long.getLong("benchmark.taggingLatencyMs", 300));
        int warm = Integer.getInteger("benchmark.warm", 3);
        try (LocalSelectionFunction selection = new LocalSelectionFunction("benchmark", function -> function,
                Duration.ofMinutes(12), Path.of("target", "benchmark", "selection.log"))) {
            selection.tagging().hold(resources(count));
            System.out.printf("%d matching resources, function timeout %d s, memory %d MB%n", count,
                    selection.function().timeout().toSeconds(), selection.function().memorySize());
            int run = 0;
            report("cold, GetResources latency 0 ms", selection, run++);
            for (int i = 0; i < warm; i++) {
                report("warm, GetResources latency 0 ms", selection, run++);
            }
            selection.tagging().answerAfter(latency);
            for (int i = 0; i < warm; i++) {
                report("warm, GetResources latency " + latency.toMillis() + " ms", selection, run++);
            }
            System.out.printf("GetResources calls: %d; messages queued in all: %d%n",
                    selection.tagging().requests().size(), selection.sqs().messageCount(selection.requestQueueUrl()));
        }
    }

    private static void report(String label, LocalSelectionFunction selection, int run) {
        long start = System.nanoTime();
        InvocationResult result = selection.invoke(SELECTION.formatted(run));
        long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
        String outcome = switch (result) {
            case InvocationResult.Response response -> response.body();
            case InvocationResult.Error error -> error.errorType() + ": " + error.errorMessage();
        };
        selection.lambda().newOutput();
        System.out.printf("%-40s %7d ms  %s%n", label, millis, outcome);
    }

    static List<Resource> resources(int count) {
        Map<String, String> tags = Map.of("backup", "nightly", "env", "prod", "team", "payments");
        List<Resource> resources = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String arn = i % 20 == 19 ? "arn:aws:lambda:eu-west-1:123456789012:function:f-" + i
                    : i % 2 == 0 ? "arn:aws:dynamodb:eu-west-1:123456789012:table/table-" + i
                    : "arn:aws:ec2:eu-west-1:123456789012:volume/vol-" + Integer.toHexString(i);
            resources.add(new Resource(arn, tags));
        }
        return resources;
    }
}
