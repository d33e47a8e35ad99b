package com.example.backupjob.metrics;

import com.example.backupjob.backup.BackupJobStarter.Outcome;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.lambda.powertools.metrics.Metrics;
import software.amazon.lambda.powertools.metrics.MetricsFactory;
import software.amazon.lambda.powertools.metrics.model.DimensionSet;
import software.amazon.lambda.powertools.metrics.model.MetricUnit;

/**
 * Counts what one invocation did and publishes it as CloudWatch embedded metrics (Powertools) when it ends.
 * Records of a batch count concurrently; the metrics are published from the invocation's own thread.
 */
public final class InvocationMetrics {

    private final String namespace;
    private final Metrics metrics = MetricsFactory.getMetricsInstance();
    private final AtomicInteger jobsStarted = new AtomicInteger();
    private final AtomicInteger duplicatesServed = new AtomicInteger();
    private final AtomicInteger dryRuns = new AtomicInteger();
    private final AtomicInteger requestsRejected = new AtomicInteger();
    private final Map<String, AtomicInteger> failuresByError = new ConcurrentHashMap<>();

    public InvocationMetrics(String namespace) {
        this.namespace = namespace;
        metrics.setNamespace(namespace);
    }

    public void jobStarted(Outcome outcome) {
        (switch (outcome) {
            case STARTED -> jobsStarted;
            case DUPLICATE -> duplicatesServed;
            case DRY_RUN -> dryRuns;
        }).incrementAndGet();
    }

    public void requestRejected() {
        requestsRejected.incrementAndGet();
    }

    /** A request that failed for another reason than its content; for AWS Backup errors the name is its code. */
    public void requestFailed(String errorName) {
        failuresByError.computeIfAbsent(errorName, name -> new AtomicInteger()).incrementAndGet();
    }

    /** Publishes and resets the counts; nothing is written when nothing happened. */
    public void publish() {
        boolean counted = addCount("JobsStarted", jobsStarted) | addCount("DuplicatesServed", duplicatesServed)
                | addCount("DryRuns", dryRuns) | addCount("RequestsRejected", requestsRejected);
        if (counted) {
            metrics.flush();
        }
        failuresByError.forEach((errorName, count) -> metrics.flushSingleMetric("RequestsFailed",
                count.getAndSet(0), MetricUnit.COUNT, namespace, DimensionSet.of("ErrorName", errorName)));
        failuresByError.clear();
    }

    private boolean addCount(String name, AtomicInteger count) {
        int value = count.getAndSet(0);
        if (value > 0) {
            metrics.addMetric(name, value, MetricUnit.COUNT);
        }
        return value > 0;
    }
}
