package com.example.backupjob.error;

/** Where a failure came from: the request itself, a service or shared state the function uses, or the function. */
public enum ErrorSource {

    /** The input: only fixing the request helps, and its messages need no source. */
    REQUEST("Request"),
    AWS_BACKUP("AWS Backup"),
    TAGGING_API("Resource Groups Tagging API"),
    SQS("Amazon SQS"),
    /** The Powertools idempotency records in the DynamoDB table. */
    IDEMPOTENCY_STORE("Idempotency store"),
    /** The StartBackupJob schedule all environments share, an item of the same table (pacing.SharedRequestRate). */
    REQUEST_RATE("Shared request rate"),
    /** A fleet run's items in the same table (run package): its record, the open runs, each job it started. */
    RUN_RECORD("Run record"),
    /** The SNS topic a run's summary goes to. */
    SNS("Amazon SNS"),
    /** The function itself: a failure it did not foresee. */
    FUNCTION("Function");

    private final String label;

    ErrorSource(String label) {
        this.label = label;
    }

    /** The source as messages and the log's errorSource field name it. */
    public String label() {
        return label;
    }
}
