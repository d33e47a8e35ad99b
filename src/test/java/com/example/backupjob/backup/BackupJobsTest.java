package com.example.backupjob.backup;

import static com.example.backupjob.tooling.support.LocalAws.event;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.example.backupjob.tooling.support.LocalAws.invoke;
import static com.example.backupjob.tooling.support.LocalAws.serviceError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.example.backupjob.error.AccessDeniedException;
import com.example.backupjob.error.BackupServiceException;
import com.example.backupjob.error.InvalidParameterValueException;
import com.example.backupjob.error.InvalidRequestException;
import com.example.backupjob.error.LimitExceededException;
import com.example.backupjob.error.MissingParameterValueException;
import com.example.backupjob.error.ResourceNotFoundException;
import com.example.backupjob.error.ServiceUnavailableException;
import com.example.backupjob.error.StartBackupJobException;
import com.example.backupjob.error.ThrottlingException;
import com.example.backupjob.tooling.support.LambdaTestContext;
import com.example.backupjob.tooling.support.LocalAws;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.http.Fault;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BackupJobsTest {

    @RegisterExtension
    final LocalAws aws = new LocalAws();

    @Test
    void sendsEveryOptionalFieldOnTheWire() {
        // given a request with every StartBackupJob parameter
        String request = event("step-functions-input.json");

        // when
        invoke(aws.handler(), request).json();

        // then the body is the request, with the token derived from the caller's token, vault and resource
        JsonNode call = aws.backupCalls().getFirst();
        JsonNode expected = ((ObjectNode) LocalAws.parse(request))
                .put("IdempotencyToken", call.path("IdempotencyToken").asText());
        assertThat(call).isEqualTo(expected);
        assertThat(call.path("IdempotencyToken").asText()).isNotEqualTo("release-2026-11-25").hasSize(36);
    }

    @Test
    void returnsTheRecoveryPointArnWhenTheServiceGivesOne() {
        aws.answerBackupWith(okJson("""
                {"BackupJobId": "job-efs-1", "CreationDate": 1516925490.087, "IsParent": true,
                 "RecoveryPointArn": "arn:aws:backup:eu-west-1:123456789012:recovery-point:1EB3B5E7"}"""));

        JsonNode response = invoke(aws.handler(), "{}").json();

        assertThat(response).isEqualTo(LocalAws.parse("""
                {"BackupJobId": "job-efs-1", "CreationDate": "2018-01-26T00:11:30.087Z", "IsParent": true,
                 "RecoveryPointArn": "arn:aws:backup:eu-west-1:123456789012:recovery-point:1EB3B5E7"}"""));
    }

    static Stream<Arguments> serviceErrors() {
        return Stream.of(
                arguments(404, "ResourceNotFoundException", ResourceNotFoundException.class),
                arguments(400, "InvalidParameterValueException", InvalidParameterValueException.class),
                arguments(400, "MissingParameterValueException", MissingParameterValueException.class),
                arguments(400, "InvalidRequestException", InvalidRequestException.class),
                arguments(503, "ServiceUnavailableException", ServiceUnavailableException.class),
                arguments(400, "LimitExceededException", LimitExceededException.class),
                arguments(400, "ThrottlingException", ThrottlingException.class),
                arguments(403, "AccessDeniedException", AccessDeniedException.class));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("serviceErrors")
    void surfacesEachServiceErrorUnderItsOwnName(int status, String code,
            Class<? extends StartBackupJobException> errorName) {
        aws.answerBackupWith(serviceError(status, code, "the service said no"));

        // 6 s: time for the SDK's three throttled attempts, after which the deadline ends the turns they get.
        LocalAws.Outcome outcome = invoke(aws.handler(), "{}", LambdaTestContext.create(Duration.ofSeconds(6)));

        assertThat(outcome.error()).isExactlyInstanceOf(errorName).hasMessage("AWS Backup: the service said no");
        assertThat(errorName.getSimpleName()).isEqualTo(code);
        assertThat(failureLine().path("errorType").asText()).isEqualTo(code);
        assertThat(failureLine().path("errorSource").asText()).isEqualTo("AWS Backup");
    }

    @Test
    void surfacesAnUnlistedServiceErrorWithItsCode() {
        aws.answerBackupWith(serviceError(409, "ConflictException", "busy"));

        LocalAws.Outcome outcome = invoke(aws.handler(), "{}");

        // the message starts with the service's code, as the contract says, then names the service
        assertThat(outcome.error()).isExactlyInstanceOf(BackupServiceException.class)
                .hasMessage("ConflictException: AWS Backup: busy");
        assertThat(failureLine().path("errorType").asText()).isEqualTo("ConflictException");
        assertThat(failureLine().path("errorSource").asText()).isEqualTo("AWS Backup");
    }

    @Test
    void reportsAnUnreachableBackupEndpointAsServiceUnavailable() {
        aws.answerBackupWith(aResponse()
                .withFault(Fault.CONNECTION_RESET_BY_PEER));

        LocalAws.Outcome outcome = invoke(aws.handler(), "{}");

        assertThat(outcome.error()).isExactlyInstanceOf(ServiceUnavailableException.class)
                .hasMessageStartingWith("AWS Backup: could not be reached: ");
        assertThat(((StartBackupJobException) outcome.error()).isRetryable()).isTrue();
        assertThat(failureLine().path("errorSource").asText()).isEqualTo("AWS Backup");
    }

    /** The one WARN or ERROR line of the failed invocation. */
    private JsonNode failureLine() {
        List<JsonNode> lines = aws.logLines().stream().filter(line -> line.has("errorType")).toList();
        assertThat(lines).hasSize(1);
        return lines.getFirst();
    }
}
