package com.example.backupjob.tracking;

import com.example.backupjob.error.StartBackupJobException;
import com.example.backupjob.logging.InvocationLogging;
import com.example.backupjob.run.JobEnd;
import com.example.backupjob.run.RequestEnd;
import com.example.backupjob.run.Run;
import com.example.backupjob.run.RunRecords;
import com.example.backupjob.run.RunRecords.RecordedJobEnd;
import com.example.backupjob.run.RunState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows fleet runs to their end: counts each final state AWS Backup reports for a run's job, once, and sends each
 * run's summary once, when the run is complete or its deadline has passed.
 */
public final class RunTracker {

    /**
     * A claim older than this whose summary never went out was left by an invocation that ended first (the tracker's
     * timeout is 30 s); the periodic check, every 15 minutes, takes it over.
     */
    static final Duration STALE_CLAIM = Duration.ofMinutes(15);

    private static final Logger LOG = LoggerFactory.getLogger(RunTracker.class);

    private final RunRecords records;
    private final SummaryTopic topic;
    private final String table;
    private final String region;
    private final Clock clock;

    public RunTracker(RunRecords records, SummaryTopic topic, String table, String region, Clock clock) {
        this.records = records;
        this.topic = topic;
        this.table = table;
        this.region = region;
        this.clock = clock;
    }

    /**
     * Counts a job's final state in its run, once however often the event is delivered, and summarises the run if
     * that made it complete. An event of a job no run started, or of a state that is not final, changes nothing.
     * A failure is logged (with the run's SelectionKey once it is known) before it is thrown.
     *
     * @throws StartBackupJobException when the run record cannot be used or the summary cannot be sent; a retry of
     *     the event counts nothing twice and sends the summary then
     */
    public void track(JobStateChange change) {
        Optional<JobEnd> end = JobEnd.of(change.state(), change.statusMessage());
        if (end.isEmpty()) {
            return;
        }
        Optional<RecordedJobEnd> recorded = InvocationLogging.reportingFailures(
                () -> records.recordJobEnd(change.backupJobId(), end.get()));
        if (recorded.isEmpty()) {
            return;
        }
        RecordedJobEnd job = recorded.get();
        InvocationLogging.withField(Run.SELECTION_KEY_ATTRIBUTE, job.selectionKey(),
                () -> InvocationLogging.reportingFailures(() -> {
                    if (job.counted()) {
                        LOG.atInfo()
                                .addKeyValue("BackupJobId", change.backupJobId())
                                .addKeyValue("ResourceArn", job.resourceArn())
                                .addKeyValue("outcome", end.get().name())
                                .log("Backup job of a run ended");
                    } else {
                        LOG.atInfo().addKeyValue("BackupJobId", change.backupJobId())
                                .log("Backup job's end already counted in its run: the event was delivered again");
                    }
                    job.run().filter(RunState::isComplete).ifPresent(run -> summarise(run, SummaryReason.COMPLETE));
                    return null;
                }));
    }

    /**
     * The periodic check: summarises each open run that is complete (its last end was a request's, which no job event
     * follows) or past its deadline, sends again a summary whose claim was left behind, and closes summarised runs.
     * Every open run is checked, whatever fails for another; each failure is logged before it is thrown.
     *
     * @return what it found
     * @throws StartBackupJobException the first failure, after every run was checked; the next check (or the
     *     invocation's retry) tries that run again
     */
    public OpenRunsChecked checkOpenRuns() {
        int open = 0;
        int summarised = 0;
        StartBackupJobException firstFailure = null;
        for (String selectionKey : InvocationLogging.reportingFailures(records::openRuns)) {
            open++;
            try {
                if (InvocationLogging.withField(Run.SELECTION_KEY_ATTRIBUTE, selectionKey,
                        () -> InvocationLogging.reportingFailures(() -> check(selectionKey)))) {
                    summarised++;
                }
            } catch (StartBackupJobException e) {
                firstFailure = firstFailure == null ? e : firstFailure;
            }
        }
        if (firstFailure != null) {
            throw firstFailure;
        }
        return new OpenRunsChecked(open, summarised);
    }

    /** What the periodic check found: the runs open before it, and how many of them it summarised. */
    public record OpenRunsChecked(int openRuns, int summarised) {
    }

    /** Whether this check sent the run's summary. */
    private boolean check(String selectionKey) {
        Optional<RunState> found = records.read(selectionKey);
        if (found.isEmpty()) {
            LOG.atWarn().log("An open run has no record (never written, or gone with its TTL): closed");
            records.close(selectionKey);
            return false;
        }
        RunState run = found.get();
        Instant now = clock.instant();
        if (run.isSummarised()) {
            if (run.summarySent()) {
                records.close(selectionKey);
                return false;
            }
            if (run.summaryClaimedAt() != null && run.summaryClaimedAt().isBefore(now.minus(STALE_CLAIM))) {
                LOG.atWarn().log("The run's summary was claimed but never sent: taken over");
                String claim = UUID.randomUUID().toString();
                return records.takeOverClaim(selectionKey, run.summaryClaim(), claim)
                        .map(claimed -> send(claimed, reasonOf(claimed, now), claim)).orElse(false);
            }
            return false;
        }
        // A run complete before its deadline whose summary could not go out then is still a complete run.
        if (run.isComplete()) {
            return summarise(run, SummaryReason.COMPLETE);
        }
        return run.isPastDeadline(now) && summarise(run, SummaryReason.DEADLINE);
    }

    /** Claims the run's summary, then sends it; false when another tracker has it, or it is not due after all. */
    private boolean summarise(RunState run, SummaryReason reason) {
        String claim = UUID.randomUUID().toString();
        Optional<RunState> claimed = reason == SummaryReason.COMPLETE
                ? records.claimCompleteSummary(run.selectionKey(), claim)
                : records.claimDeadlineSummary(run.selectionKey(), claim);
        return claimed.map(state -> send(state, reason, claim)).orElse(false);
    }

    /**
     * Sends the summary of a claimed run, from the counts the claim read. If it cannot be sent, the claim is given up,
     * so that a retry sends it.
     */
    private boolean send(RunState run, SummaryReason reason, String claim) {
        RunSummary summary = RunSummary.of(run, reason, table, region);
        String messageId;
        try {
            messageId = topic.publish(summary);
        } catch (StartBackupJobException e) {
            try {
                records.releaseClaim(run.selectionKey(), claim);
            } catch (StartBackupJobException releaseFailed) {
                // Left for the periodic check, which takes a stale claim over.
                e.addSuppressed(releaseFailed);
            }
            throw e;
        }
        LOG.atInfo()
                .addKeyValue("reason", reason.name())
                .addKeyValue("queued", run.count(RunState.QUEUED_REQUESTS))
                .addKeyValue("started", run.count(RunState.STARTED))
                .addKeyValue(RequestEnd.FAILED_TO_START.counter(), run.count(RequestEnd.FAILED_TO_START.counter()))
                .addKeyValue(RequestEnd.EXPIRED.counter(), run.count(RequestEnd.EXPIRED.counter()))
                .addKeyValue("jobsEnded", run.jobsEnded())
                .addKeyValue("incomplete", run.incompleteResources().size() + run.incompleteMore())
                .addKeyValue("messageId", messageId)
                .addKeyValue("outcome", "SUMMARISED")
                .log("Run summarised: {}", summary.subject());
        records.summarySent(run.selectionKey(), claim, messageId);
        try {
            records.close(run.selectionKey());
        } catch (StartBackupJobException e) {
            // The summary went out; the periodic check closes the run later.
            LOG.atWarn().log("The summarised run stays among the open runs until the next check: {}",
                    e.getMessage());
        }
        return true;
    }

    /** Why a claim taken over was made: from the counts, as the claim does not say. */
    private static SummaryReason reasonOf(RunState run, Instant now) {
        boolean complete = RunState.QUEUED.equals(run.statusBeforeSummary())
                && run.requestsEnded() >= run.count(RunState.QUEUED_REQUESTS) && run.jobsEnded() >= run.count(
                        RunState.STARTED);
        return complete || !run.isPastDeadline(now) ? SummaryReason.COMPLETE : SummaryReason.DEADLINE;
    }
}
