package com.example.backupjob.snapstart;

import static com.example.backupjob.tooling.support.LocalAws.event;
import static com.example.backupjob.tooling.support.LocalAws.invoke;
import static org.assertj.core.api.Assertions.assertThat;

import com.example.backupjob.config.Configuration;
import com.example.backupjob.tooling.support.LocalAws;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SnapStartPrimingTest {

    @RegisterExtension
    final LocalAws aws = new LocalAws();

    @Test
    void primingRunsTheRequestPathWithoutCallingAwsBackupOrTheStore() throws Exception {
        // given
        ObjectMapper json = new ObjectMapper();
        SnapStartPriming priming = new SnapStartPriming(json,
                Configuration.fromEnvironment(aws.environment(Map.of()), json).requestDefaults());

        // when
        priming.beforeCheckpoint(null);

        // then
        assertThat(aws.backupCalls()).isEmpty();
        assertThat(aws.idempotencyRecords()).isEmpty();
    }

    @Test
    void primingLeavesTheFunctionsOwnStoreInPlace() throws Exception {
        // given: the function, whose constructor configures Powertools' JVM-wide store, then its priming
        var handler = aws.handler();
        ObjectMapper json = new ObjectMapper();
        new SnapStartPriming(json, Configuration.fromEnvironment(aws.environment(Map.of()), json).requestDefaults())
                .beforeCheckpoint(null);

        // when
        LocalAws.Outcome outcome = invoke(handler, event("scheduled-rule.json"));

        // then: the job and its record went to the real endpoints, not to the priming's answering clients
        assertThat(outcome.json().path("BackupJobId").asText()).isNotEmpty();
        assertThat(aws.backupCalls()).hasSize(1);
        assertThat(aws.idempotencyRecords()).hasSize(1);
    }
}
