package com.example.backupjob.snapstart;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.backupjob.config.Configuration;
import com.example.backupjob.support.LocalAws;
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
}
