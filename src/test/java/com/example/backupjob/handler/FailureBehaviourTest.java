package com.example.backupjob.handler;

import static com.example.backupjob.tooling.support.LocalAws.backupCall;
import static com.example.backupjob.tooling.support.LocalAws.event;
import static com.example.backupjob.tooling.support.LocalAws.invoke;
import static com.example.backupjob.tooling.support.LocalAws.sqsEvent;
import static com.example.backupjob.tooling.support.LocalAws.serviceError;
import static com.example.backupjob.tooling.support.LocalAws.startedJob;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

import com.example.backupjob.config.Configuration;
import com.example.backupjob.error.IdempotencyStoreException;
import com.example.backupjob.error.LimitExceededException;
import com.example.backupjob.error.ServiceUnavailableException;
import com.example.backupjob.error.StartBackupJobException;
import com.example.backupjob.error.ThrottlingException;
import com.example.backupjob.tooling.support.LambdaTestContext;
import com.example.backupjob.tooling.support.LocalAws;
import com.example.backupjob.tooling.support.SimulatedFaults;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One test per row of the README's "Failure behaviour" table. */
class FailureBehaviourTest {

    private static final String REQUEST = "{\"IdempotencyToken\": \"fault-suite\"}";

    @RegisterExtension
    final LocalAws aws = new LocalAws();

    @Test
    void serverErrorThenSuccessStartsOneJob() {
        answerInTurn(serviceError(500, "InternalFailure", "try again"), startedJob());

        JsonNode response = invoke(aws.handler(), REQUEST).json();

        assertThat(response.path("BackupJobId").asText()).isNotBlank();
        assertThat(aws.backupCalls()).hasSize(2)
                .extracting(call -> call.path("IdempotencyToken")).containsOnly(aws.backupCalls().get(0)
                        .path("IdempotencyToken"));
    }

    @Test
    void throttlingThatRecoversStartsTheJob() {
        answerInTurn(serviceError(400, "ThrottlingException", "Rate exceeded"), startedJob());

        JsonNode response = invoke(aws.handler(), REQUEST).json();

        assertThat(response.path("BackupJobId").asText()).isNotBlank();
        assertThat(aws.backupCalls()).hasSize(2);
    }

    @Test
    void throttlingThatOutlastsTheDeadlineTakesFurtherTurnsThenFailsAsRetryable() {
        // given AWS Backup throttling every call, and 8 s left in the invocation: the SDK's three attempts take 3 s
        // at the most, so at least one more turn under the shared rate fits before the deadline
        aws.answerBackupWith(serviceError(400, "ThrottlingException", "Rate exceeded"));
        long started = System.nanoTime();

        // when
        LocalAws.Outcome outcome = invoke(aws.handler(), REQUEST, LambdaTestContext.create(Duration.ofSeconds(8)));

        // then
        assertThat(outcome.error()).isExactlyInstanceOf(ThrottlingException.class)
                .hasMessage("AWS Backup: Rate exceeded");
        assertThat(((StartBackupJobException) outcome.error()).isRetryable()).isTrue();
        assertThat(aws.backupCalls()).hasSizeGreaterThan(3);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(8));
        assertThat(lastErrorLine().path("message").asText())
                .isEqualTo("Backup request failed; a retry can help: AWS Backup: Rate exceeded");
        assertThat(lastErrorLine().path("errorSource").asText()).isEqualTo("AWS Backup");
    }

    @Test
    void limitExceededIsNotRetriedHereButSaysARetryCanHelp() {
        aws.answerBackupWith(serviceError(400, "LimitExceededException", "Too many concurrent jobs"));

        LocalAws.Outcome outcome = invoke(aws.handler(), REQUEST);

        assertThat(outcome.error()).isExactlyInstanceOf(LimitExceededException.class);
        assertThat(((StartBackupJobException) outcome.error()).isRetryable()).isTrue();
        assertThat(aws.backupCalls()).hasSize(1);
        assertThat(lastErrorLine().path("message").asText())
                .isEqualTo("Backup request failed; a retry can help: AWS Backup: Too many concurrent jobs");
    }

    @Test
    void connectionResetOnEveryAttemptFailsAsServiceUnavailable() {
        aws.answerBackupWith(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));

        LocalAws.Outcome outcome = invoke(aws.handler(), REQUEST);

        assertThat(outcome.error()).isExactlyInstanceOf(ServiceUnavailableException.class)
                .hasMessageStartingWith("AWS Backup: could not be reached");
        assertThat(aws.backupCalls()).hasSize(3);
    }

    @Test
    void responseSlowerThanTheRemainingTimeFailsBeforeTheDeadlineAndLetsARetryThrough() {
        // given a Backup endpoint that answers after 5 s and an invocation with 2 s left
        aws.answerBackupWith(startedJob().withFixedDelay(5_000));
        var handler = aws.handler();
        long started = System.nanoTime();

        // when
        LocalAws.Outcome outcome = invoke(handler, REQUEST, LambdaTestContext.create(Duration.ofSeconds(2)));

        // then it answers with a retryable error while the invocation still runs
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        assertThat(outcome.error()).isExactlyInstanceOf(ServiceUnavailableException.class);
        // and the retry, once Backup answers in time, starts the job with the same token
        aws.answerBackupWith(startedJob());
        assertThat(invoke(handler, REQUEST).json().path("BackupJobId").asText()).isNotBlank();
        List<JsonNode> calls = aws.backupCalls();
        assertThat(calls.getLast().path("IdempotencyToken")).isEqualTo(calls.getFirst().path("IdempotencyToken"));
    }

    @Test
    void noCallFreeUnderTheSharedRateBeforeTheDeadlineFailsAsThrottlingFromTheRateWithoutCallingBackup() {
        // given one StartBackupJob call every 10 s, the first taken, and 5 s left in the next invocation
        var handler = aws.handler(Map.of(Configuration.START_BACKUP_JOB_RATE, "0.1"));
        invoke(handler, "{\"IdempotencyToken\": \"first\"}").json();

        // when
        LocalAws.Outcome outcome = invoke(handler, REQUEST, LambdaTestContext.create(Duration.ofSeconds(5)));

        // then: the same name as AWS Backup's throttling, but the message and the log line say it was the rate
        assertThat(outcome.error()).isExactlyInstanceOf(ThrottlingException.class)
                .hasMessageStartingWith("Shared request rate: no StartBackupJob call is free before the invocation's "
                        + "deadline");
        assertThat(((StartBackupJobException) outcome.error()).isRetryable()).isTrue();
        assertThat(lastErrorLine().path("errorType").asText()).isEqualTo("ThrottlingException");
        assertThat(lastErrorLine().path("errorSource").asText()).isEqualTo("Shared request rate");
        assertThat(aws.backupCalls()).hasSize(1);
    }

    @Test
    void storeDownAtStartFailsWithoutCallingBackup() {
        aws.dynamoDb().pause();
        try {
            LocalAws.Outcome outcome = invoke(aws.handler(), REQUEST, LambdaTestContext.create(Duration.ofSeconds(3)));

            assertThat(outcome.error()).isExactlyInstanceOf(IdempotencyStoreException.class);
            assertThat(((StartBackupJobException) outcome.error()).isRetryable()).isTrue();
        } finally {
            aws.dynamoDb().resume();
        }
        assertThat(aws.backupCalls()).isEmpty();
    }

    @Test
    void storeFailingBetweenItsTwoWritesLeavesTheRetryToAwsBackupsOwnDeduplication() throws Exception {
        // given a store that stops answering while the Backup call is under way
        aws.answerBackupWith(startedJob().withFixedDelay(500));
        var handler = aws.handler();
        CompletableFuture<LocalAws.Outcome> first = CompletableFuture.supplyAsync(
                () -> invoke(handler, REQUEST, LambdaTestContext.create(Duration.ofSeconds(3))));
        aws.awaitBackupCalls(1);
        aws.dynamoDb().pause();
        LocalAws.Outcome outcome;
        try {
            outcome = first.get(10, TimeUnit.SECONDS);
        } finally {
            aws.dynamoDb().resume();
        }

        // then the invocation fails although the job started
        assertThat(outcome.error()).isExactlyInstanceOf(IdempotencyStoreException.class);
        assertThat(aws.backupCalls()).hasSize(1);

        // when the request is retried after the in-progress record expired with the first invocation
        TimeUnit.SECONDS.sleep(1);
        JsonNode retried = invoke(handler, REQUEST).json();

        // then it is answered, from the store if the late write landed, else by AWS Backup under the same token,
        // which returns the job it started instead of starting a second one
        assertThat(retried.path("BackupJobId").asText()).isNotBlank();
        JsonNode token = aws.backupCalls().getFirst().path("IdempotencyToken");
        assertThat(aws.backupCalls()).extracting(call -> call.path("IdempotencyToken")).containsOnly(token);
    }

    @Test
    void sameSqsMessageInTwoConcurrentInvocationsStartsExactlyOneJob() throws Exception {
        aws.answerBackupWith(startedJob().withFixedDelay(1_000));
        String event = sqsEvent(List.of("{\"ResourceArn\": \"arn:aws:s3:::invoices\"}"));

        CompletableFuture<LocalAws.Outcome> first = CompletableFuture.supplyAsync(() -> invoke(aws.handler(), event));
        aws.awaitBackupCalls(1);
        JsonNode second = invoke(aws.handler(), event).json();

        assertThat(first.get(10, TimeUnit.SECONDS).json().path("batchItemFailures")).isEmpty();
        assertThat(second.path("batchItemFailures").findValuesAsText("itemIdentifier")).containsExactly("m-0");
        assertThat(aws.backupCalls()).hasSize(1);
    }

    @Test
    void poisonedRecordAmongNineGoodOnesFailsAloneOnEveryDelivery() {
        // given nine good records and one that can never succeed
        List<String> bodies = IntStream.range(0, 10)
                .mapToObj(i -> i == 4 ? "{\"StartWindowMinutes\": 1}" : "{\"ResourceArn\": \"arn:aws:s3:::bucket-" + i + "\"}")
                .toList();
        String event = sqsEvent(bodies);
        var handler = aws.handler();

        // when the queue delivers the batch, then twice more as its maxReceiveCount of 3 allows
        List<JsonNode> responses = IntStream.range(0, 3).mapToObj(delivery -> invoke(handler, event).json()).toList();

        // then nine jobs started once each, and the poisoned record was reported every time, for the DLQ
        assertThat(responses).allSatisfy(response -> assertThat(response.path("batchItemFailures")
                .findValuesAsText("itemIdentifier")).containsExactly("m-4"));
        assertThat(aws.backupCalls()).hasSize(9);
    }

    @Test
    void errorThrownWhileStartingOneRecordFailsThatRecordAloneAndTheOthersStart() {
        // given nine good records and one whose start ends in a StackOverflowError inside the SDK
        List<String> bodies = IntStream.range(0, 10).mapToObj(i -> "{\"ResourceArn\": \""
                + (i == 7 ? SimulatedFaults.ERROR_RESOURCE_ARN : "arn:aws:s3:::bucket-" + i) + "\"}").toList();

        // when
        JsonNode response = invoke(aws.handler(), sqsEvent(bodies)).json();

        // then
        assertThat(response.path("batchItemFailures").findValuesAsText("itemIdentifier")).containsExactly("m-7");
        assertThat(aws.backupCalls()).hasSize(9);
        assertThat(lastErrorLine().path("errorType").asText()).isEqualTo("ServiceUnavailableException");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {SimulatedFaults.ERROR_RESOURCE_ARN, SimulatedFaults.BUG_RESOURCE_ARN})
    void unexpectedFailureReachesTheCallerUnderAContractNameWithOneErrorLine(String resourceArn) {
        // when a direct invoke fails in a way the function does not know (a library's exception, an Error)
        int linesBefore = aws.logLines().size();
        LocalAws.Outcome outcome = invoke(aws.handler(), "{\"ResourceArn\": \"" + resourceArn + "\"}");

        // then it is ServiceUnavailableException, logged once at ERROR with its stack trace, quoting no input
        assertThat(outcome.error()).isExactlyInstanceOf(ServiceUnavailableException.class)
                .hasMessageStartingWith("Function: failed unexpectedly (java.lang.");
        assertThat(outcome.error().getMessage()).doesNotContain("secret-tag-value");
        List<JsonNode> failureLines = aws.logLines().subList(linesBefore, aws.logLines().size()).stream()
                .filter(line -> line.has("errorType")).toList();
        assertThat(failureLines).singleElement().satisfies(line -> {
            assertThat(line.path("level").asText()).isEqualTo("ERROR");
            assertThat(line.path("errorType").asText()).isEqualTo("ServiceUnavailableException");
            assertThat(line.path("errorSource").asText()).isEqualTo("Function");
            assertThat(line.path("stackTrace").asText()).contains("SimulatedFaults.beforeExecution");
            assertThat(line.toString()).doesNotContain("secret-tag-value");
        });
    }

    private void answerInTurn(ResponseDefinitionBuilder first, ResponseDefinitionBuilder then) {
        aws.backup().stubFor(backupCall().inScenario("in turn").whenScenarioStateIs(STARTED)
                .willReturn(first).willSetStateTo("answered once"));
        aws.backup().stubFor(backupCall().inScenario("in turn").whenScenarioStateIs("answered once")
                .willReturn(then));
    }

    private JsonNode lastErrorLine() {
        return aws.logLines().stream().filter(line -> line.path("level").asText().equals("ERROR"))
                .reduce((first, second) -> second).orElseThrow();
    }
}
