package com.example.backupjob.tracking;

import com.example.backupjob.run.JobEnd;
import com.example.backupjob.run.RequestEnd;
import com.example.backupjob.run.RunRecords;
import com.example.backupjob.run.RunState;
import java.util.List;

/**
 * The summary of a run, as it goes to the alarm topic: a subject and a plain-text message with the run's counts, the
 * ARNs whose request or job did not complete, and the command that reads the record. It holds no tag value: the
 * record holds none but in {@code selection}, which the summary leaves out.
 */
public record RunSummary(String subject, String message) {

    /** SNS takes a subject of fewer than 100 printable ASCII characters. */
    private static final int MAX_SUBJECT = 99;

    /**
     * @param table the table that holds the record
     * @param region the Region of the table, for the command that reads the record; blank leaves the option out
     */
    public static RunSummary of(RunState run, SummaryReason reason, String table, String region) {
        long queued = run.count(RunState.QUEUED_REQUESTS);
        long completed = run.count(JobEnd.COMPLETED.counter()) + run.count(JobEnd.COMPLETED_WITH_ISSUES.counter());
        long incomplete = run.incompleteResources().size() + run.incompleteMore();
        String subject = "Backup run " + run.selectionKey() + ": " + completed + " of " + queued + " completed"
                + (reason == SummaryReason.DEADLINE ? ", deadline passed" : "");

        StringBuilder message = new StringBuilder()
                .append("Backup run \"").append(run.selectionKey()).append("\": ").append(completed).append(" of ")
                .append(queued).append(" queued resources completed, ").append(incomplete)
                .append(" did not complete.\n\n");
        if (reason == SummaryReason.COMPLETE) {
            message.append("Why now: every queued request reached an end and every job it started reached a final "
                    + "state.\n\n");
        } else {
            long running = Math.max(0, run.count(RunState.STARTED) - run.jobsEnded());
            long pending = Math.max(0, queued - run.requestsEnded());
            message.append("Why now: its deadline, ").append(run.deadline()).append(", passed")
                    .append(RunState.SELECTING.equals(run.statusBeforeSummary())
                            ? " before the selection had queued every page" : "")
                    .append(". ").append(running).append(" of its jobs had not reached a final state, and ")
                    .append(pending).append(" of its requests had not reached an end (still queued, or in the "
                            + "request dead-letter queue). The record goes on counting them.\n\n");
        }
        message.append("Selection: ").append(run.count(RunState.MATCHED)).append(" matched, ").append(queued)
                .append(" queued; skipped: ").append(run.count(RunState.SKIPPED_UNSUPPORTED_TYPE))
                .append(" of a type AWS Backup does not support, ").append(run.count(RunState.SKIPPED_OPTED_OUT))
                .append(" of a type opted out in the Region, ").append(run.count(RunState.SKIPPED_NOT_RESOURCES))
                .append(" in NotResources.\n")
                .append("Requests: ").append(run.count(RunState.STARTED)).append(" started a job, ")
                .append(run.count(RequestEnd.FAILED_TO_START.counter()))
                .append(" failed to start (in the request dead-letter queue), ")
                .append(run.count(RequestEnd.EXPIRED.counter())).append(" expired before they could start.\n")
                .append("Jobs: ").append(run.count(JobEnd.COMPLETED.counter())).append(" completed, ")
                .append(run.count(JobEnd.COMPLETED_WITH_ISSUES.counter())).append(" completed with issues, ")
                .append(run.count(JobEnd.FAILED.counter())).append(" failed, ")
                .append(run.count(JobEnd.ABORTED.counter())).append(" aborted, ")
                .append(run.count(JobEnd.EXPIRED.counter())).append(" expired, ")
                .append(run.count(JobEnd.PARTIAL.counter())).append(" partial.\n\n");
        message.append("Resources whose request or job did not complete (").append(incomplete).append("):\n");
        List<String> listed = run.incompleteResources().stream().sorted().toList();
        listed.forEach(arn -> message.append(arn).append('\n'));
        if (run.incompleteMore() > 0) {
            message.append("... and ").append(run.incompleteMore()).append(" more, not listed: the record lists the "
                    + "first ").append(RunRecords.MAX_INCOMPLETE_RESOURCES).append("; the function logs name each "
                    + "with this SelectionKey.\n");
        }
        if (incomplete == 0) {
            message.append("none\n");
        }
        message.append("\nThe run's record (counters, status, deadline):\n")
                .append(getItemCommand(run.selectionKey(), table, region)).append('\n');
        return new RunSummary(subject(subject), message.toString());
    }

    /** The AWS CLI command that reads the run's record, quoted for a POSIX shell whatever the key holds. */
    static String getItemCommand(String selectionKey, String table, String region) {
        String key = "{\"id\": {\"S\": " + jsonString(RunRecords.RUN_PREFIX + selectionKey) + "}}";
        return "aws dynamodb get-item" + (region == null || region.isBlank() ? "" : " --region " + region)
                + " --table-name " + table + " --key " + shellQuoted(key);
    }

    private static String subject(String text) {
        StringBuilder printable = new StringBuilder();
        text.codePoints().forEach(c -> printable.append(c >= 0x20 && c < 0x7f ? (char) c : '?'));
        return printable.length() <= MAX_SUBJECT ? printable.toString()
                : printable.substring(0, MAX_SUBJECT - 3) + "...";
    }

    private static String jsonString(String text) {
        StringBuilder json = new StringBuilder("\"");
        text.codePoints().forEach(c -> {
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", c));
                    } else {
                        json.appendCodePoint(c);
                    }
                }
            }
        });
        return json.append('"').toString();
    }

    private static String shellQuoted(String text) {
        return "'" + text.replace("'", "'\\''") + "'";
    }
}
