package com.example.backupjob.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.backupjob.run.RunState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The summary's text: what SNS accepts as a subject, and a command that reads the record whatever the key holds. */
class RunSummaryTest {

    @Test
    void subjectIsPrintableAsciiOfFewerThanAHundredCharactersWhateverTheKey() {
        // given a caller's token with a line break, non-ASCII letters, and 200 characters
        RunState run = run("nächtlich\n" + "x".repeat(200), Map.of("queued", 2L, "completed", 1L));

        // when
        RunSummary summary = RunSummary.of(run, SummaryReason.COMPLETE, "table", "eu-west-1");

        // then
        assertThat(summary.subject()).hasSizeLessThan(100).matches("[\\x20-\\x7e]+")
                .startsWith("Backup run n?chtlich?xxx").endsWith("...");
    }

    @Test
    void commandReadsTheRecordOfAKeyWithQuotesAndBackslashes() throws IOException, InterruptedException {
        // given
        String key = "it's a \"run\" \\ 1";

        // when
        String command = RunSummary.getItemCommand(key, "my-table", "eu-west-1");

        // then: the shell hands the CLI the JSON key of the record, intact
        Process echo = new ProcessBuilder("sh", "-c", command.replaceFirst("^aws dynamodb get-item .* --key ",
                "printf '%s' ")).start();
        String argument = new String(echo.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(echo.waitFor()).isZero();
        assertThat(argument).isEqualTo("{\"id\": {\"S\": \"run#it's a \\\"run\\\" \\\\ 1\"}}");
        assertThat(command).startsWith("aws dynamodb get-item --region eu-west-1 --table-name my-table --key ");
    }

    @Test
    void listsEveryIncompleteResourceAndCountsThoseTheRecordCouldNotList() {
        // given
        RunState run = new RunState("r", RunState.SUMMARISED, Instant.EPOCH, Map.of("queued", 103L, "failed", 103L),
                List.of("arn:aws:s3:::b", "arn:aws:s3:::a"), 101, null, null, false, RunState.QUEUED);

        // when
        String message = RunSummary.of(run, SummaryReason.COMPLETE, "table", "").message();

        // then
        assertThat(message).contains("Resources whose request or job did not complete (103):\narn:aws:s3:::a\n"
                + "arn:aws:s3:::b\n... and 101 more, not listed")
                .contains("aws dynamodb get-item --table-name table --key");
    }

    private static RunState run(String key, Map<String, Long> counters) {
        return new RunState(key, RunState.SUMMARISED, Instant.EPOCH, counters, List.of(), 0, null, null, false,
                RunState.QUEUED);
    }
}
