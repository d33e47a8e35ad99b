package com.example.backupjob.tracking;

/** Why a run is summarised now. */
public enum SummaryReason {

    /** Every page queued, every queued request at an end, every started job final. */
    COMPLETE,
    /** The run's deadline passed first. */
    DEADLINE
}
