package com.example.backupjob.run;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A run's record as read from the table: its status, deadline, counters, the resources that did not complete, and
 * whether its summary was claimed or sent.
 *
 * @param counters every counter the record holds; one it does not hold counts 0
 * @param incompleteResources the first ARNs (at most {@link RunRecords#MAX_INCOMPLETE_RESOURCES}) whose request or
 *     job did not complete, in no particular order
 * @param incompleteMore how many more did not complete than the list holds
 * @param summaryClaim the id of the summary's claim, null while unclaimed
 * @param summaryClaimedAt when the summary was claimed, null while unclaimed
 * @param summarySent whether the summary went out
 * @param statusBeforeSummary the status the run had when its summary was claimed, null before
 */
public record RunState(String selectionKey, String status, Instant deadline, Map<String, Long> counters,
        List<String> incompleteResources, long incompleteMore, String summaryClaim, Instant summaryClaimedAt,
        boolean summarySent, String statusBeforeSummary) {

    /** While the selection still has pages to queue. */
    public static final String SELECTING = "SELECTING";
    /** Once every page is queued. */
    public static final String QUEUED = "QUEUED";
    /** Once the summary was claimed (and, unless its claim is released, sent). */
    public static final String SUMMARISED = "SUMMARISED";

    public static final String MATCHED = "matched";
    public static final String QUEUED_REQUESTS = "queued";
    public static final String SKIPPED_UNSUPPORTED_TYPE = "skippedUnsupportedType";
    public static final String SKIPPED_OPTED_OUT = "skippedOptedOut";
    public static final String SKIPPED_NOT_RESOURCES = "skippedNotResources";
    public static final String STARTED = "started";

    public RunState {
        counters = Map.copyOf(counters);
        incompleteResources = List.copyOf(incompleteResources);
    }

    public long count(String counter) {
        return counters.getOrDefault(counter, 0L);
    }

    /** Queued requests that reached an end: started a job, failed on their last delivery, or expired. */
    public long requestsEnded() {
        return count(STARTED) + count(RequestEnd.FAILED_TO_START.counter()) + count(RequestEnd.EXPIRED.counter());
    }

    /** Started jobs that reached a final state. */
    public long jobsEnded() {
        return Arrays.stream(JobEnd.values()).mapToLong(end -> count(end.counter())).sum();
    }

    /**
     * Whether the run is over before its deadline: every page queued, every queued request at an end, every started
     * job final. A request counted twice (failed to start, then redriven from the dead-letter queue and started) can
     * only make a sum larger, hence at least rather than equal.
     */
    public boolean isComplete() {
        return QUEUED.equals(status) && requestsEnded() >= count(QUEUED_REQUESTS) && jobsEnded() >= count(STARTED);
    }

    public boolean isPastDeadline(Instant now) {
        return now.isAfter(deadline);
    }

    public boolean isSummarised() {
        return SUMMARISED.equals(status);
    }
}
