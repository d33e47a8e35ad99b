package com.example.backupjob.handler;

import static com.example.backupjob.tooling.support.LocalAws.invoke;
import static com.example.backupjob.tooling.support.LocalAws.sqsEvent;
import static com.example.backupjob.tooling.support.LocalAws.startedJob;
import static org.assertj.core.api.Assertions.assertThat;

import com.example.backupjob.tooling.support.LocalAws;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SqsBatchProcessorTest {

    @RegisterExtension
    final LocalAws aws = new LocalAws();

    @Test
    void startsTheRecordsOfABatchConcurrently() {
        // given a Backup endpoint that takes a second to answer
        aws.answerBackupWith(startedJob().withFixedDelay(1_000));
        List<String> bodies = IntStream.range(0, 10)
                .mapToObj(i -> "{\"ResourceArn\": \"arn:aws:s3:::bucket-" + i + "\"}").toList();

        // when a batch of ten arrives
        JsonNode response = invoke(aws.handler(), sqsEvent(bodies)).json();

        // then all ten calls were under way before the first was answered
        assertThat(response.path("batchItemFailures")).isEmpty();
        List<LoggedRequest> calls = aws.backup().getAllServeEvents().stream()
                .map(serveEvent -> serveEvent.getRequest())
                .sorted(Comparator.comparing(LoggedRequest::getLoggedDate))
                .toList();
        assertThat(calls).hasSize(10);
        assertThat(calls.getLast().getLoggedDate().getTime() - calls.getFirst().getLoggedDate().getTime())
                .isLessThan(1_000);
    }
}
