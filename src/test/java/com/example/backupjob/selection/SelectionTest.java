package com.example.backupjob.selection;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.backupjob.error.AccessDeniedException;
import com.example.backupjob.error.InvalidParameterValueException;
import com.example.backupjob.error.ServiceUnavailableException;
import com.example.backupjob.error.ThrottlingException;
import com.example.backupjob.handler.SelectBackupResourcesHandler;
import com.example.backupjob.tooling.support.LambdaTestContext;
import com.example.backupjob.tooling.support.LocalAws;
import com.example.backupjob.tooling.support.LocalSelection;
import com.example.backupjob.tooling.support.SqsFaultProxy;
import com.example.backupjob.tooling.support.TaggingStandIn.Resource;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.sqs.model.Message;

/** The tag selection function end to end: the Tagging API stand-in, ElasticMQ, and the StartBackupJob function. */
class SelectionTest {

    private static final String ACCOUNT = ":eu-west-1:123456789012:";
    // Tag values unlike any ARN or field name, so that a log line or message quoting one is caught.
    private static final String NIGHTLY = "nightly-7f3a";
    private static final String PROD = "prod-c41e";
    private static final String STAGING = "staging-9b2d";
    private static final Map<String, String> SELECTED = Map.of("backup", NIGHTLY, "env", PROD);

    private static final String ORDERS = "arn:aws:dynamodb" + ACCOUNT + "table/orders";
    private static final String CUSTOMERS = "arn:aws:rds" + ACCOUNT + "db:customers";
    private static final String BUCKET = "arn:aws:s3:::invoices";
    private static final String SCRATCH = "arn:aws:dynamodb" + ACCOUNT + "table/scratch";
    private static final String FUNCTION = "arn:aws:lambda" + ACCOUNT + "function:resize";
    private static final String QUEUE = "arn:aws:sqs" + ACCOUNT + "jobs";

    private static final String SELECTION = """
            {"Selection": {"Tags": {"backup": ["%s"], "env": ["%s", "%s"]}, "NotResources": ["%s"]},
             "StartWindowMinutes": 60, "Lifecycle": {"DeleteAfterDays": 35}, "IdempotencyToken": "nightly-2026-12-01"}
            """.formatted(NIGHTLY, PROD, STAGING, SCRATCH);

    @RegisterExtension
    final LocalAws aws = new LocalAws();
    @RegisterExtension
    final LocalSelection local = new LocalSelection();

    @Test
    void sendsTheTagsAsTagFiltersAndTheTypesAsResourceTypeFilters() {
        // given
        String selection = """
                {"Selection": {"Tags": {"env": ["%s", "%s"], "backup": ["%s"]},
                               "ResourceTypes": ["dynamodb:table", "rds"]}}
                """.formatted(PROD, STAGING, NIGHTLY);

        // when
        LocalAws.invoke(local.handler(), selection).json();

        // then
        JsonNode request = local.tagging().requests().getFirst();
        assertThat(request.get("TagFilters")).isEqualTo(LocalAws.parse("""
                [{"Key": "backup", "Values": ["%s"]}, {"Key": "env", "Values": ["%s", "%s"]}]
                """.formatted(NIGHTLY, PROD, STAGING)));
        assertThat(request.get("ResourceTypeFilters")).isEqualTo(LocalAws.parse("[\"dynamodb:table\", \"rds\"]"));
        assertThat(request.get("ResourcesPerPage").asInt()).isEqualTo(100);
        assertThat(request.has("PaginationToken")).isFalse();
    }

    @Test
    void queuesOneRequestPerMatchedSupportedResourceAndCountsWhatItSkips() {
        // given: three to back up, one left out, two of types AWS Backup cannot back up, three not matching
        local.tagging().hold(List.of(
                new Resource(ORDERS, SELECTED),
                new Resource(CUSTOMERS, Map.of("backup", NIGHTLY, "env", STAGING, "team", "payments")),
                new Resource(BUCKET, SELECTED),
                new Resource(SCRATCH, SELECTED),
                new Resource(FUNCTION, SELECTED),
                new Resource(QUEUE, SELECTED),
                new Resource("arn:aws:ec2" + ACCOUNT + "volume/vol-0a1b", Map.of("backup", NIGHTLY, "env", "dev")),
                new Resource("arn:aws:ec2" + ACCOUNT + "instance/i-0c2d", Map.of("env", PROD)),
                new Resource("arn:aws:elasticfilesystem" + ACCOUNT + "file-system/fs-1", Map.of("backup", "weekly",
                        "env", PROD))));

        // when
        JsonNode response = LocalAws.invoke(local.handler(), SELECTION).json();

        // then
        assertThat(response).isEqualTo(LocalAws.parse("""
                {"SelectionKey": "nightly-2026-12-01", "Matched": 6, "Queued": 3,
                 "Skipped": {"UnsupportedType": 2, "OptedOut": 0, "NotResources": 1}, "Complete": true}
                """));
        List<JsonNode> requests = local.queuedRequests();
        assertThat(requests).extracting(request -> request.get("ResourceArn").asText())
                .containsExactlyInAnyOrder(ORDERS, CUSTOMERS, BUCKET);
        assertThat(requests).allSatisfy(request -> {
            assertThat(request.get("StartWindowMinutes").asLong()).isEqualTo(60);
            assertThat(request.at("/Lifecycle/DeleteAfterDays").asLong()).isEqualTo(35);
            assertThat(request.get("BackupVaultName").asText()).isEqualTo(LocalAws.VAULT);
            assertThat(request.get("IamRoleArn").asText()).isEqualTo(LocalAws.ROLE_ARN);
            assertThat(request.get("IdempotencyToken").asText()).matches("[0-9a-f-]{36}");
        });
        assertThat(requests).extracting(request -> request.get("IdempotencyToken").asText()).doesNotHaveDuplicates();
        JsonNode summary = aws.logLines().stream()
                .filter(line -> line.path("message").asText().startsWith("Backup requests queued for the selection"))
                .findFirst().orElseThrow();
        assertThat(summary.get("skippedUnsupportedTypes").asText()).isEqualTo("{lambda:function=1, sqs=1}");
        assertThat(aws.logLines()).extracting(JsonNode::toString)
                .noneMatch(line -> line.contains(NIGHTLY) || line.contains(PROD) || line.contains(STAGING));
    }

    @Test
    void pagesThroughEveryPageOfMatches() {
        // given
        local.tagging().hold(tables(250));

        // when
        JsonNode response = LocalAws.invoke(local.handler(), SELECTION).json();

        // then
        assertThat(local.tagging().requests()).extracting(request -> request.path("PaginationToken").asText())
                .containsExactly("", "page-100", "page-200");
        assertThat(response.get("Matched").asInt()).isEqualTo(250);
        assertThat(response.get("Queued").asInt()).isEqualTo(250);
        assertThat(local.queuedRequests()).extracting(request -> request.get("ResourceArn").asText())
                .containsExactlyInAnyOrderElementsOf(tables(250).stream().map(Resource::arn).toList());
    }

    @Test
    void queuesEachPageOfMatchesBeforeAskingForTheNext() {
        // given
        local.tagging().hold(tables(250));
        List<Integer> queuedBeforeEachPage = new CopyOnWriteArrayList<>();
        local.tagging().beforeEachAnswer(() -> queuedBeforeEachPage.add(local.messagesQueued()));

        // when
        LocalAws.invoke(local.handler(), SELECTION).json();

        // then
        assertThat(queuedBeforeEachPage).containsExactly(0, 100, 200);
    }

    @Test
    void selectionFiredTwiceFromAFixedInputIsTwoRunsWithTheirOwnTokens() {
        // given no token of its own: each firing is a new invocation, so a new run
        local.tagging().hold(tables(12));
        String selection = SELECTION.replace(", \"IdempotencyToken\": \"nightly-2026-12-01\"", "");
        LambdaTestContext firstFiring = LambdaTestContext.create();

        // when
        JsonNode first = LocalAws.invoke(local.handler(), selection, firstFiring).json();
        List<JsonNode> firstRequests = local.queuedRequests();
        JsonNode second = LocalAws.invoke(local.handler(), selection).json();
        List<JsonNode> secondRequests = local.queuedRequests();

        // then
        assertThat(first.get("SelectionKey").asText()).isEqualTo(firstFiring.awsRequestId());
        assertThat(second.get("SelectionKey")).isNotEqualTo(first.get("SelectionKey"));
        assertThat(secondRequests).hasSize(12).extracting(request -> request.get("IdempotencyToken"))
                .doesNotContainAnyElementsOf(firstRequests.stream().map(request -> request.get("IdempotencyToken"))
                        .toList());
    }

    @Test
    void queuedRequestsStartOneJobEachEvenQueuedTwiceAndARerunQueuesNone() {
        // given
        local.tagging().hold(List.of(new Resource(ORDERS, SELECTED), new Resource(CUSTOMERS, SELECTED),
                new Resource(BUCKET, SELECTED)));
        var startBackupJob = aws.handler();

        // when: the StartBackupJob function consumes the queue; a batch queued twice (a crash between its send and
        // the position's save) reaches it twice
        LocalAws.invoke(local.handler(), SELECTION).json();
        List<Message> queued = local.drainQueue();
        JsonNode firstBatch = LocalAws.invoke(startBackupJob, sqsEvent(queued)).json();
        JsonNode queuedAgain = LocalAws.invoke(startBackupJob, sqsEvent(queued)).json();
        LocalAws.invoke(local.handler(), SELECTION).json();

        // then: one job each; the rerun, the same run, queues nothing
        assertThat(firstBatch.get("batchItemFailures")).isEmpty();
        assertThat(queuedAgain.get("batchItemFailures")).isEmpty();
        assertThat(aws.backupCalls()).extracting(call -> call.get("ResourceArn").asText())
                .containsExactlyInAnyOrder(ORDERS, CUSTOMERS, BUCKET);
        assertThat(local.drainQueue()).isEmpty();
    }

    @Test
    void eventBridgeEventIdIsTheKeyWhenItsDetailHasNoToken() {
        // given
        String event = LocalAws.event("selection-eventbridge-event.json");
        local.tagging().hold(List.of(new Resource(ORDERS, Map.of("team", "payments"))));

        // when
        JsonNode response = LocalAws.invoke(local.handler(), event).json();

        // then
        assertThat(response.get("SelectionKey").asText()).isEqualTo(LocalAws.parse(event).get("id").asText());
        assertThat(local.queuedRequests()).singleElement().satisfies(request -> {
            assertThat(request.get("ResourceArn").asText()).isEqualTo(ORDERS);
            assertThat(request.get("CompleteWindowMinutes").asLong()).isEqualTo(240);
        });
    }

    @Test
    void failedBatchEntryIsRetriedAndEveryRequestQueuedOnce() {
        // given: SQS fails one entry of the first batch of two
        local.tagging().hold(tables(12));
        try (SqsFaultProxy proxy = SqsFaultProxy.start(local.sqs().endpoint(), 1)) {
            SelectBackupResourcesHandler handler = local.handlerSendingThrough(proxy.endpoint());

            // when
            JsonNode response = LocalAws.invoke(handler, SELECTION).json();

            // then
            assertThat(response.get("Queued").asInt()).isEqualTo(12);
            assertThat(proxy.batchCalls()).isEqualTo(3);
            assertThat(local.queuedRequests()).extracting(request -> request.get("ResourceArn").asText())
                    .containsExactlyInAnyOrderElementsOf(tables(12).stream().map(Resource::arn).toList());
        }
    }

    @Test
    void tenRequestsWithFiftyLongMultiByteTagsAreQueuedInBatchesWithinTheBatchPayloadLimit() {
        // given: each body carries 50 tags of 128-character keys and 256-character values of 3-byte characters,
        // about 58 KB, so ten of them are more than SQS takes in one SendMessageBatch
        local.tagging().hold(tables(10));
        String selection = SELECTION.replace("\"StartWindowMinutes\": 60,", "\"StartWindowMinutes\": 60, "
                + "\"RecoveryPointTags\": " + LocalAws.parse(longMultiByteTags()) + ",");
        try (SqsFaultProxy sqs = SqsFaultProxy.start(local.sqs().endpoint(), 0)) {
            SelectBackupResourcesHandler handler = local.handlerSendingThrough(sqs.endpoint());

            // when
            LocalAws.Outcome outcome = LocalAws.invoke(handler, selection);

            // then
            assertThat(outcome.json().get("Queued").asInt()).isEqualTo(10);
            assertThat(sqs.batchCalls()).isGreaterThan(1);
            assertThat(local.queuedRequests()).hasSize(10).allSatisfy(request ->
                    assertThat(request.get("RecoveryPointTags")).hasSize(50));
        }
    }

    @Test
    void entryFailingEveryAttemptFailsTheInvocation() {
        // given
        local.tagging().hold(tables(3));
        try (SqsFaultProxy proxy = SqsFaultProxy.start(local.sqs().endpoint(), Integer.MAX_VALUE)) {
            SelectBackupResourcesHandler handler = local.handlerSendingThrough(proxy.endpoint());

            // when
            LocalAws.Outcome outcome = LocalAws.invoke(handler, SELECTION);

            // then: each attempt held back one more entry, so the last one was never queued
            assertThat(outcome.error()).isExactlyInstanceOf(ServiceUnavailableException.class)
                    .hasMessage("Amazon SQS: 1 messages could not be queued after 5 attempts (InternalError)");
            assertThat(failureLine().path("errorSource").asText()).isEqualTo("Amazon SQS");
            assertThat(proxy.batchCalls()).isEqualTo(5);
            assertThat(local.messagesQueued()).isEqualTo(2);
        }
    }

    @Test
    void throttledGetResourcesIsRetried() {
        // given
        local.tagging().hold(List.of(new Resource(ORDERS, SELECTED)));
        local.tagging().throttle(2);

        // when
        JsonNode response = LocalAws.invoke(local.handler(), SELECTION).json();

        // then
        assertThat(local.tagging().requests()).hasSize(3);
        assertThat(response.get("Queued").asInt()).isEqualTo(1);
    }

    @Test
    void getResourcesThrottledBeyondTheRetriesFailsClearlyAndQueuesNothing() {
        // given
        local.tagging().hold(List.of(new Resource(ORDERS, SELECTED)));
        local.tagging().throttle(Integer.MAX_VALUE);

        // when
        LocalAws.Outcome outcome = LocalAws.invoke(local.handler(), SELECTION);

        // then
        assertThat(outcome.error()).isExactlyInstanceOf(ThrottlingException.class).hasMessage("Resource Groups "
                + "Tagging API: throttled GetResources (ThrottledException, HTTP 400) after the SDK's retries");
        assertThat(failureLine().path("errorType").asText()).isEqualTo("ThrottlingException");
        assertThat(failureLine().path("errorSource").asText()).isEqualTo("Resource Groups Tagging API");
        assertThat(local.tagging().requests()).hasSize(3);
        assertThat(local.messagesQueued()).isZero();
    }

    @Test
    void entryRejectedAsTheSendersFaultFailsAtOnce() {
        // given
        local.tagging().hold(tables(3));
        try (SqsFaultProxy proxy = SqsFaultProxy.start(local.sqs().endpoint(), 1, true)) {
            SelectBackupResourcesHandler handler = local.handlerSendingThrough(proxy.endpoint());

            // when
            LocalAws.Outcome outcome = LocalAws.invoke(handler, SELECTION);

            // then
            assertThat(outcome.error()).isExactlyInstanceOf(InvalidParameterValueException.class)
                    .hasMessage("Amazon SQS: rejected 1 of 3 messages (InvalidParameterValue); a retry cannot help");
            assertThat(failureLine().path("errorSource").asText()).isEqualTo("Amazon SQS");
            assertThat(proxy.batchCalls()).isEqualTo(1);
        }
    }

    @Test
    void getResourcesAccessDeniedFailsNamingThePermission() {
        // given
        local.tagging().failNext(1, 400, "AccessDeniedException");

        // when
        LocalAws.Outcome outcome = LocalAws.invoke(local.handler(), SELECTION);

        // then
        assertThat(outcome.error()).isExactlyInstanceOf(AccessDeniedException.class).hasMessage("Resource Groups "
                + "Tagging API: denied GetResources (AccessDeniedException, HTTP 400): the function's role needs "
                + "tag:GetResources");
        assertThat(failureLine().path("errorSource").asText()).isEqualTo("Resource Groups Tagging API");
        assertThat(local.messagesQueued()).isZero();
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            500 | InternalServiceException        | ServiceUnavailableException    | 3 | failed
            400 | PaginationTokenExpiredException | ServiceUnavailableException    | 1 | failed
            400 | InvalidParameterException       | InvalidParameterValueException | 1 | rejected
            403 | UnrecognizedClientException     | BackupServiceException         | 1 | failed
            """)
    void getResourcesErrorsFailUnderTheirMeaningWithoutTheServicesMessage(int status, String code, String errorName,
            int calls, String outcomeOfTheCall) {
        // given
        local.tagging().failNext(Integer.MAX_VALUE, status, code);

        // when
        LocalAws.Outcome outcome = LocalAws.invoke(local.handler(), SELECTION);

        // then: 5xx are retried by the SDK, the others are not; an unlisted code leads the message, as for AWS Backup
        assertThat(outcome.error().getClass().getSimpleName()).isEqualTo(errorName);
        String unlistedCode = errorName.equals("BackupServiceException") ? code + ": " : "";
        assertThat(outcome.error()).hasMessage(unlistedCode + "Resource Groups Tagging API: " + outcomeOfTheCall
                + " GetResources (" + code + ", HTTP " + status + ")");
        assertThat(failureLine().path("errorSource").asText()).isEqualTo("Resource Groups Tagging API");
        assertThat(local.tagging().requests()).hasSize(calls);
        assertThat(local.messagesQueued()).isZero();
    }

    /** The one WARN or ERROR line of the failed invocation. */
    private JsonNode failureLine() {
        List<JsonNode> lines = aws.logLines().stream().filter(line -> line.has("errorType")).toList();
        assertThat(lines).hasSize(1);
        return lines.getFirst();
    }

    /** 50 tags, each a 128-character key and a 256-character value of 3-byte characters. */
    static String longMultiByteTags() {
        StringBuilder tags = new StringBuilder("{");
        for (int i = 0; i < 50; i++) {
            String prefix = String.format("k%02d", i);
            tags.append(i == 0 ? "" : ", ").append('"').append(prefix).append("\u3042".repeat(128 - prefix.length()))
                    .append("\": \"").append("\u20ac".repeat(256)).append('"');
        }
        return tags.append('}').toString();
    }

    private static List<Resource> tables(int count) {
        return IntStream.range(0, count)
                .mapToObj(i -> new Resource("arn:aws:dynamodb" + ACCOUNT + "table/table-" + i, SELECTED))
                .toList();
    }

    private static String sqsEvent(List<Message> messages) {
        return LocalAws.sqsEvent(messages.stream().map(Message::body).toList());
    }
}
