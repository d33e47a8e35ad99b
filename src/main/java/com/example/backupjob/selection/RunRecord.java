package com.example.backupjob.selection;

import java.time.Instant;
import java.util.Set;

/**
 * A tag selection run as its record ({@code run#<SelectionKey>}) holds it for the selection: what it selects, until
 * when its requests may start, which resource types the Region has opted out of, how far the selection got, and its
 * counts so far.
 *
 * @param saves how many times the position was saved: each save is conditional on it, so that two invocations of
 *     one run never both move it
 */
record RunRecord(String key, String status, Instant deadline, SelectionRequest request, Set<String> optedOutTypes,
        Position position, Counts counts, long saves) {

    /** While pages remain to be queued. */
    static final String SELECTING = "SELECTING";
    /** Once every page is queued. */
    static final String QUEUED = "QUEUED";

    RunRecord {
        optedOutTypes = Set.copyOf(optedOutTypes);
    }

    boolean selecting() {
        return SELECTING.equals(status);
    }

    /**
     * Where a run stands in the Tagging API's listing.
     *
     * @param token the PaginationToken of the page in progress; null for the first page (and once done)
     * @param offset how many resources of that page were already handled
     * @param listed how many resources of the listing come before the next one to handle, in this walk of it
     * @param resumeAt after a saved token expired and the walk started again from the first page: the resources
     *     before this one were handled by the earlier walk and are passed over; 0 otherwise
     */
    record Position(String token, int offset, long listed, long resumeAt) {

        static final Position START = new Position(null, 0, 0, 0);

        /** The start of the page whose token is given, after {@code listed} resources. */
        static Position page(String token, long listed, long resumeAt) {
            return new Position(token, 0, listed, listed >= resumeAt ? 0 : resumeAt);
        }

        /** The same page, {@code offset} of its resources handled. */
        Position within(int offset) {
            long pageStart = listed - this.offset;
            return new Position(token, offset, pageStart + offset, resumeAt);
        }

        /** A new walk from the first page, passing over what this one handled. */
        Position walkAgain() {
            return new Position(null, 0, 0, Math.max(resumeAt, listed));
        }
    }

    /** What a run's resources came to: matched, queued, and skipped by reason. */
    record Counts(long matched, long queued, long skippedUnsupportedType, long skippedOptedOut,
            long skippedNotResources) {

        static final Counts ZERO = new Counts(0, 0, 0, 0, 0);

        Counts plus(Counts other) {
            return new Counts(matched + other.matched, queued + other.queued,
                    skippedUnsupportedType + other.skippedUnsupportedType, skippedOptedOut + other.skippedOptedOut,
                    skippedNotResources + other.skippedNotResources);
        }
    }
}
