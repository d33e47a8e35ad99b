package com.example.backupjob.run;

import com.example.backupjob.backup.BackupJobStarter.Outcome;
import com.example.backupjob.error.StartBackupJobException;
import com.example.backupjob.logging.InvocationLogging;
import com.example.backupjob.request.SharedRules;
import com.example.backupjob.service.IncomingRequest;
import com.example.backupjob.service.StartBackupJobService;
import com.example.backupjob.service.StartBackupJobService.StartedRequest;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the queued requests of fleet runs: a request received after its run's deadline starts no job and leaves the
 * queue; any other starts as every request does, and how it ended (started, or failed on its last delivery) is
 * counted in its run's record.
 */
public final class RunRequests {

    private static final Logger LOG = LoggerFactory.getLogger(RunRequests.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final StartBackupJobService service;
    private final RequestCounter counter;
    private final int maxReceiveCount;
    private final Clock clock;

    /**
     * @param maxReceiveCount the request queue's maxReceiveCount: a record that fails on a delivery with this
     *     receive count goes to the dead-letter queue, so it is counted as failed to start
     */
    public RunRequests(StartBackupJobService service, RequestCounter counter, int maxReceiveCount, Clock clock) {
        this.service = service;
        this.counter = counter;
        this.maxReceiveCount = maxReceiveCount;
        this.clock = clock;
    }

    /**
     * Starts one queued request of a run, or drops it when the run's deadline has passed. Its log lines carry the
     * run's SelectionKey.
     *
     * @param receiveCount the SQS record's ApproximateReceiveCount
     * @param body the message body, read for the resource's ARN when the request ends without a job
     * @param request the message's request, parsed when it is to be started
     * @throws StartBackupJobException when the request started no job, or its count could not be written (the
     *     record is then retried: the retry starts no second job and counts it once); anything else the start threw
     */
    public void start(Run run, int receiveCount, String body, Supplier<IncomingRequest> request) {
        InvocationLogging.withField(Run.SELECTION_KEY_ATTRIBUTE, run.selectionKey(), () -> {
            if (run.isOverAt(clock.instant())) {
                String resourceArn = resourceArnOf(body);
                counter.countEnd(run, RequestEnd.EXPIRED, resourceArn);
                logEnd(RequestEnd.EXPIRED, run, resourceArn);
                return null;
            }
            StartedRequest started;
            try {
                started = service.startRequest(request.get());
            } catch (RuntimeException | Error e) {
                if (receiveCount >= maxReceiveCount) {
                    countFailedToStart(run, body);
                }
                throw e;
            }
            if (started.outcome() != Outcome.DRY_RUN) {
                // A duplicate too: its first delivery may have started the job but failed to count it.
                counter.countStarted(run, started.job().backupJobId(), started.resourceArn());
            }
            return null;
        });
    }

    /** Counts a request failing for the last time; a count that fails too is logged, and the request's own failure
     * is what the record reports. */
    private void countFailedToStart(Run run, String body) {
        String resourceArn = resourceArnOf(body);
        try {
            InvocationLogging.reportingFailures(() -> {
                counter.countEnd(run, RequestEnd.FAILED_TO_START, resourceArn);
                return null;
            });
            logEnd(RequestEnd.FAILED_TO_START, run, resourceArn);
        } catch (StartBackupJobException e) {
            // Logged by reportingFailures; the record fails anyway and waits in the dead-letter queue.
        }
    }

    private static void logEnd(RequestEnd end, Run run, String resourceArn) {
        LOG.atInfo()
                .addKeyValue("ResourceArn", resourceArn)
                .addKeyValue(Run.DEADLINE_ATTRIBUTE, run.deadline().toString())
                .addKeyValue("outcome", end.name())
                .log(end.description());
    }

    /**
     * The ARN the message's request names, read without the request rules, so that a request that cannot be started
     * is still named; null when the body has none that is an ARN.
     */
    static String resourceArnOf(String body) {
        if (body == null) {
            return null;
        }
        try {
            JsonNode message = JSON.readTree(body);
            JsonNode request = message.has("detail-type") ? message.path("detail") : message;
            JsonNode arn = request.path("ResourceArn");
            return arn.isTextual() && SharedRules.arnProblem(arn.textValue()).isEmpty() ? arn.textValue() : null;
        } catch (JacksonException e) {
            return null;
        }
    }
}
