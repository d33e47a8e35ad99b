package com.example.backupjob.idempotency;

import static com.example.backupjob.tooling.support.LocalAws.event;
import static com.example.backupjob.tooling.support.LocalAws.invoke;
import static com.example.backupjob.tooling.support.LocalAws.sqsEvent;
import static com.example.backupjob.tooling.support.LocalAws.startedJob;
import static org.assertj.core.api.Assertions.assertThat;

import com.example.backupjob.error.IdempotencyAlreadyInProgressException;
import com.example.backupjob.error.IdempotencyStoreException;
import com.example.backupjob.error.InvalidRequestException;
import com.example.backupjob.handler.StartBackupJobHandler;
import com.example.backupjob.request.BackupRequest;
import com.example.backupjob.tooling.support.DynaliteServer;
import com.example.backupjob.tooling.support.LambdaTestContext;
import com.example.backupjob.tooling.support.LocalAws;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class IdempotencyTest {

    private static final String SQS_EVENT = """
            {"Records": [{"messageId": "m-1", "eventSource": "aws:sqs",
              "body": "{\\"ResourceArn\\": \\"arn:aws:s3:::invoices\\"}"}]}""";

    @RegisterExtension
    final LocalAws aws = new LocalAws();

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"eventbridge-event.json", "scheduler-input.json", "step-functions-input.json"})
    void duplicateDeliveryStartsOneJobAndGetsTheFirstResult(String sample) {
        List<JsonNode> responses = deliverTwice(event(sample));

        assertThat(responses.get(1)).isEqualTo(responses.get(0));
        assertThat(aws.backupCalls()).hasSize(1);
    }

    @Test
    void duplicateSqsMessageStartsOneJob() {
        List<JsonNode> responses = deliverTwice(SQS_EVENT);

        assertThat(responses).allSatisfy(response -> assertThat(response.path("batchItemFailures")).isEmpty());
        assertThat(aws.backupCalls()).hasSize(1);
    }

    @Test
    void sameCallerTokenForTwoResourcesStartsTwoJobs() {
        StartBackupJobHandler handler = aws.handler();

        JsonNode first = invoke(handler, "{\"IdempotencyToken\": \"nightly\", \"ResourceArn\": \"arn:aws:s3:::a\"}").json();
        JsonNode second = invoke(handler, "{\"IdempotencyToken\": \"nightly\", \"ResourceArn\": \"arn:aws:s3:::b\"}").json();

        assertThat(second.path("BackupJobId")).isNotEqualTo(first.path("BackupJobId"));
        List<JsonNode> calls = aws.backupCalls();
        assertThat(calls).hasSize(2);
        assertThat(calls.get(0).path("IdempotencyToken")).isNotEqualTo(calls.get(1).path("IdempotencyToken"));
    }

    @Test
    void samePlainRequestFiredTwiceWithoutTokenStartsTwoJobs() {
        // given a rule's fixed Input, which sends the same request at every firing, each a new invocation
        StartBackupJobHandler handler = aws.handler();

        // when it fires twice
        JsonNode first = invoke(handler, "{\"StartWindowMinutes\": 60}").json();
        JsonNode second = invoke(handler, "{\"StartWindowMinutes\": 60}").json();

        // then each firing is its own backup, under its own token
        assertThat(second.path("BackupJobId")).isNotEqualTo(first.path("BackupJobId"));
        assertThat(aws.backupCalls()).hasSize(2)
                .extracting(call -> call.path("IdempotencyToken").asText()).doesNotHaveDuplicates();
    }

    @Test
    void lambdaRetryOfAnAsynchronousInvocationStartsOneJob() {
        // given an invocation without a token, which Lambda retries with the same request id
        StartBackupJobHandler handler = aws.handler();
        LambdaTestContext invocation = LambdaTestContext.create();

        // when it is delivered twice
        JsonNode first = invoke(handler, "{\"StartWindowMinutes\": 60}", invocation).json();
        JsonNode retry = invoke(handler, "{\"StartWindowMinutes\": 60}", invocation).json();

        // then
        assertThat(retry).isEqualTo(first);
        assertThat(aws.backupCalls()).hasSize(1);
    }

    @Test
    void callerTokenWinsOverTheEventBridgeEventId() {
        // given two events with their own ids whose details carry the same token
        String event = event("eventbridge-event.json");
        String sameTokenOtherEvent = event.replaceFirst("\"id\": \"[^\"]+\"", "\"id\": \"another-event\"");
        StartBackupJobHandler handler = aws.handler();

        // when
        JsonNode first = invoke(handler, event.replace("\"detail\": {", "\"detail\": {\"IdempotencyToken\": \"t-1\", ")).json();
        JsonNode second = invoke(handler,
                sameTokenOtherEvent.replace("\"detail\": {", "\"detail\": {\"IdempotencyToken\": \"t-1\", ")).json();

        // then
        assertThat(second).isEqualTo(first);
        assertThat(aws.backupCalls()).hasSize(1);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"\"StartWindowMinutes\": 120", "\"Lifecycle\": {\"DeleteAfterDays\": 7}",
            "\"RecoveryPointTags\": {\"team\": \"payments\"}", "\"Index\": \"ENABLED\""})
    void tokenReusedForADifferentRequestIsRejectedBeforeAnyBackupCall(String otherField) {
        // given a request that started its job
        StartBackupJobHandler handler = aws.handler();
        String request = "{\"IdempotencyToken\": \"once\", \"ResourceArn\": \"arn:aws:s3:::a\"";
        JsonNode first = invoke(handler, request + "}").json();

        // when the same token and resource come with another field different
        LocalAws.Outcome reused = invoke(handler, request + ", " + otherField + "}");

        // then it is refused, naming the token, and AWS Backup is not called again; the same request still gets its job
        assertThat(reused.error()).isExactlyInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("IdempotencyToken: was already used for a different request");
        assertThat(failureLine().path("errorSource").asText()).isEqualTo("Request");
        assertThat(invoke(handler, request + "}").json()).isEqualTo(first);
        assertThat(aws.backupCalls()).hasSize(1);
    }

    @Test
    void redeliveryAfterTheStoreForgotSendsTheSameTokenToBackup() {
        // given a delivery that was processed and whose idempotency record is gone
        invoke(aws.handler(), event("eventbridge-event.json")).json();
        aws.useNewIdempotencyTable();

        // when it is delivered again
        invoke(aws.handler(), event("eventbridge-event.json")).json();

        // then AWS Backup sees the same token, so it starts no second job
        List<JsonNode> calls = aws.backupCalls();
        assertThat(calls).hasSize(2);
        assertThat(calls.get(1).path("IdempotencyToken")).isEqualTo(calls.get(0).path("IdempotencyToken"));
    }

    @Test
    void recordsWrittenConcurrentlyAreFoundAgainOnRedelivery() {
        // given many batches whose records are processed ten at a time
        StartBackupJobHandler handler = aws.handler();
        List<String> batches = IntStream.range(0, 30)
                .mapToObj(batch -> sqsEvent(IntStream.range(0, 10)
                        .mapToObj(i -> "{\"ResourceArn\": \"arn:aws:s3:::bucket-" + batch + "-" + i + "\"}")
                        .toList()))
                .toList();
        batches.forEach(batch -> invoke(handler, batch).json());

        // when every batch is delivered again
        batches.forEach(batch -> invoke(handler, batch).json());

        // then each record was stored under the same key scheme, so the redelivery started nothing
        assertThat(aws.idempotencyRecords()).hasSize(300)
                .allMatch(key -> key.startsWith("start-backup-job.startOnce#"), "keyed as start-backup-job.startOnce#<hash>");
        assertThat(aws.backupCalls()).hasSize(300);
    }

    @Test
    void concurrentDuplicateIsRejectedAsInProgress() throws Exception {
        // given a first delivery whose Backup call is under way
        aws.answerBackupWith(startedJob().withFixedDelay(1_000));
        StartBackupJobHandler handler = aws.handler();
        CompletableFuture<LocalAws.Outcome> first =
                CompletableFuture.supplyAsync(() -> invoke(handler, event("eventbridge-event.json")));
        aws.awaitBackupCalls(1);

        // when the same event arrives meanwhile
        LocalAws.Outcome second = invoke(handler, event("eventbridge-event.json"));

        // then it is told to retry later and only the first starts a job
        assertThat(second.error()).isExactlyInstanceOf(IdempotencyAlreadyInProgressException.class)
                .hasMessage("Idempotency store: this request is already being processed by another invocation; "
                        + "retry after it completes");
        assertThat(failureLine().path("errorSource").asText()).isEqualTo("Idempotency store");
        assertThat(first.get(10, TimeUnit.SECONDS).json().path("BackupJobId").asText()).isNotBlank();
        assertThat(aws.backupCalls()).hasSize(1);
    }

    @Test
    void inProgressRecordOfAnInvocationThatTimedOutIsTakenOverOnceItExpires() {
        // given the record of a first delivery left in progress, as when Lambda ends an invocation at its timeout
        StartBackupJobHandler handler = aws.handler();
        invoke(handler, event("eventbridge-event.json")).json();
        String key = aws.idempotencyRecords().getFirst();
        DynaliteServer store = aws.dynamoDb();
        store.setAttribute(aws.idempotencyTable(), key, "status", AttributeValue.fromS("INPROGRESS"));
        store.setAttribute(aws.idempotencyTable(), key, "in_progress_expiration",
                AttributeValue.fromN(Long.toString(System.currentTimeMillis() - 1_000)));

        // when the event is delivered again
        JsonNode retried = invoke(handler, event("eventbridge-event.json")).json();

        // then the job is started again under the same token, which AWS Backup answers with the first job
        assertThat(retried.path("BackupJobId").asText()).isNotBlank();
        assertThat(aws.backupCalls()).hasSize(2)
                .extracting(call -> call.path("IdempotencyToken")).containsOnly(aws.backupCalls().getFirst()
                        .path("IdempotencyToken"));
    }

    @Test
    void unreachableStoreFailsTheInvocationWithoutCallingBackup() {
        // given a DynamoDB endpoint where nothing listens
        StartBackupJobHandler handler = handlerWithUnreachableStore();

        // when
        LocalAws.Outcome outcome = invoke(handler, event("scheduler-input.json"));

        // then
        assertThat(outcome.error()).isExactlyInstanceOf(IdempotencyStoreException.class)
                .hasMessageStartingWith("Idempotency store: could not be used: ");
        assertThat(failureLine().path("errorSource").asText()).isEqualTo("Idempotency store");
        assertThat(aws.backupCalls()).isEmpty();
    }

    @Test
    void missingTableFailsTheInvocationWithoutCallingBackup() {
        StartBackupJobHandler handler = aws.handler(Map.of("IDEMPOTENCY_TABLE", "no-such-table"));

        LocalAws.Outcome outcome = invoke(handler, event("scheduler-input.json"));

        assertThat(outcome.error()).isExactlyInstanceOf(IdempotencyStoreException.class);
        assertThat(aws.backupCalls()).isEmpty();
    }

    @Test
    void unreachableStoreFailsOnlyTheSqsRecordsItGuards() {
        StartBackupJobHandler handler = handlerWithUnreachableStore();

        JsonNode response = invoke(handler, SQS_EVENT).json();

        assertThat(response.path("batchItemFailures").findValuesAsText("itemIdentifier")).containsExactly("m-1");
        assertThat(aws.backupCalls()).isEmpty();
    }

    @Test
    void backupTokenCoversKeyVaultAndResource() {
        BackupRequest request = request("Default", "arn:aws:s3:::a");

        String token = IdempotencyKeys.backupToken("key", request);

        assertThat(token).isEqualTo(IdempotencyKeys.backupToken("key", request("Default", "arn:aws:s3:::a")))
                .isNotEqualTo(IdempotencyKeys.backupToken("key", request("Default", "arn:aws:s3:::b")))
                .isNotEqualTo(IdempotencyKeys.backupToken("key", request("Other", "arn:aws:s3:::a")))
                .isNotEqualTo(IdempotencyKeys.backupToken("other-key", request));
    }

    /** The one WARN or ERROR line of the failed invocation. */
    private JsonNode failureLine() {
        List<JsonNode> lines = aws.logLines().stream().filter(line -> line.has("errorType")).toList();
        assertThat(lines).hasSize(1);
        return lines.getFirst();
    }

    /** A handler whose DynamoDB endpoint is a port where nothing listens. */
    private StartBackupJobHandler handlerWithUnreachableStore() {
        String endpoint = System.getProperty("aws.endpointUrlDynamoDb");
        try {
            System.setProperty("aws.endpointUrlDynamoDb", "http://127.0.0.1:9");
            return aws.handler();
        } finally {
            System.setProperty("aws.endpointUrlDynamoDb", endpoint);
        }
    }

    /** The responses to two deliveries of the same event to one execution environment. */
    private List<JsonNode> deliverTwice(String event) {
        StartBackupJobHandler handler = aws.handler();
        return List.of(invoke(handler, event).json(), invoke(handler, event).json());
    }

    private static BackupRequest request(String vault, String resourceArn) {
        return new BackupRequest(vault, null, resourceArn, LocalAws.ROLE_ARN, null, null, null, null, null, null, null);
    }
}
