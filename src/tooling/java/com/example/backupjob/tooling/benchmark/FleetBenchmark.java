package com.example.backupjob.tooling.benchmark;

import com.example.backupjob.tooling.runtime.FunctionClasspath;
import com.example.backupjob.tooling.runtime.QueueFleet;
import com.example.backupjob.tooling.support.BackupStandIn;
import com.example.backupjob.tooling.support.DynaliteServer;
import com.example.backupjob.tooling.support.ElasticMqServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The fleet-scale burst of issue #9: a queue of requests drained by as many function environments as the template's
 * MaximumConcurrency (JVMs under the real runtime interface client, fed by a local event source mapping from
 * ElasticMQ), against a Backup stand-in that throttles above AWS Backup's default quota (token bucket) and dynalite.
 *
 * <p>Run with {@code mvn -q test-compile exec:java@fleet}. System properties: {@code fleet.requests} (default 1000),
 * {@code fleet.quota} (the stand-in's calls per second and the function's START_BACKUP_JOB_RATE, default 5),
 * {@code fleet.latency} (ms per StartBackupJob answer, default 150), {@code fleet.visibility} (the queue's visibility
 * timeout in seconds; default the template's), {@code fleet.compare} (a directory with another build of the project,
 * e.g. a checkout of an earlier commit after {@code mvn package -DskipTests}, run first under the same load).
 */
public final class FleetBenchmark {

    private final int requests = Integer.getInteger("fleet.requests", 1000);
    private final double quota = Double.parseDouble(System.getProperty("fleet.quota", "5"));
    private final Duration latency = Duration.ofMillis(Long.getLong("fleet.latency", 150));
    private final Duration visibility = Duration.ofSeconds(Long.getLong("fleet.visibility",
            QueueFleet.EVENT_SOURCE.visibilityTimeout().toSeconds()));
    private final List<String> rows = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        new FleetBenchmark().run();
    }

    private void run() throws Exception {
        int environments = QueueFleet.EVENT_SOURCE.maximumConcurrency();
        System.out.printf("%d requests, %d environments, quota %.1f/s, latency %d ms, visibility timeout %d s%n",
                requests, environments, quota, latency.toMillis(), visibility.toSeconds());
        rows.add("| build | jobs started | duplicate jobs | dead-lettered | throttled calls | first-delivery "
                + "failures | records failed | invocations | wall time | bound (requests / quota) | ratio | peak RSS "
                + "per environment |");
        rows.add("|---|---|---|---|---|---|---|---|---|---|---|---|");
        try (DynaliteServer dynamoDb = DynaliteServer.start(); ElasticMqServer sqs = ElasticMqServer.start()) {
            String compare = System.getProperty("fleet.compare");
            if (compare != null) {
                measure("compared: " + compare, FunctionClasspath.fromBuild(Path.of(compare)), dynamoDb, sqs);
            }
            measure("this build", FunctionClasspath.fromBuild(Path.of("")), dynamoDb, sqs);
        }
        rows.forEach(System.out::println);
    }

    private void measure(String build, FunctionClasspath classpath, DynaliteServer dynamoDb, ElasticMqServer sqs)
            throws InterruptedException {
        String name = "fleet-" + (rows.size() - 1);
        dynamoDb.createTable(name);
        QueueFleet.Settings settings = new QueueFleet.Settings(name, QueueFleet.EVENT_SOURCE.maximumConcurrency(),
                visibility, quota, function -> function, classpath);
        try (BackupStandIn backup = BackupStandIn.start(latency, quota);
                QueueFleet fleet = QueueFleet.start(settings, backup.endpoint(), dynamoDb.endpoint(), sqs)) {
            long started = System.nanoTime();
            fleet.send(requests);
            Duration bound = Duration.ofMillis((long) (requests / quota * 1000));
            // Long enough for every record to use all its receives, one visibility timeout apart.
            boolean drained = fleet.mapping().awaitDrained(bound.multipliedBy(2)
                    .plus(visibility.multipliedBy(QueueFleet.EVENT_SOURCE.maxReceiveCount() + 1)));
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            rows.add("| %s | %d | %d | %d | %d | %d | %d | %d | %.1f s%s | %.0f s | %.2f | %s MB |".formatted(build,
                    backup.jobsStarted(), backup.duplicateJobs(), fleet.deadLettered(), backup.throttledCalls(),
                    fleet.mapping().firstDeliveryFailures(), fleet.mapping().recordsFailed(),
                    fleet.mapping().invocations(), took.toMillis() / 1000.0, drained ? "" : " (not drained)",
                    bound.toMillis() / 1000.0, (double) took.toMillis() / bound.toMillis(),
                    fleet.peakRssMegabytes()));
            System.out.println(rows.getLast());
        }
    }
}
