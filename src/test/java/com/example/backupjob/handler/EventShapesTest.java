package com.example.backupjob.handler;

import static com.example.backupjob.tooling.support.LocalAws.DEFAULT_RESOURCE_ARN;
import static com.example.backupjob.tooling.support.LocalAws.ROLE_ARN;
import static com.example.backupjob.tooling.support.LocalAws.VAULT;
import static com.example.backupjob.tooling.support.LocalAws.event;
import static com.example.backupjob.tooling.support.LocalAws.invoke;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.example.backupjob.error.InvalidRequestException;
import com.example.backupjob.run.Run;
import com.example.backupjob.tooling.support.LocalAws;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EventShapesTest {

    @RegisterExtension
    final LocalAws aws = new LocalAws();

    @Test
    void classicScheduledRuleStartsTheDefaultResource() {
        // given a scheduled rule event, whose detail is empty
        String event = event("scheduled-rule.json");

        // when
        JsonNode response = invoke(aws.handler(), event).json();

        // then the job is for the resource, vault and role of the defaults
        assertThat(response.path("BackupJobId").asText()).isNotBlank();
        assertThat(response.path("CreationDate").asText()).isEqualTo("2025-11-25T15:00:00.087Z");
        assertThat(response.path("IsParent").asBoolean()).isFalse();
        assertThat(response.has("RecoveryPointArn")).isFalse();
        JsonNode call = aws.backupCalls().getFirst();
        assertThat(call.path("ResourceArn").asText()).isEqualTo(DEFAULT_RESOURCE_ARN);
        assertThat(call.path("BackupVaultName").asText()).isEqualTo(VAULT);
        assertThat(call.path("IamRoleArn").asText()).isEqualTo(ROLE_ARN);
    }

    @Test
    void schedulerInputIsAPlainRequest() {
        JsonNode response = invoke(aws.handler(), event("scheduler-input.json")).json();

        assertThat(response.path("BackupJobId").asText()).isNotBlank();
        assertThat(aws.backupCalls()).singleElement()
                .satisfies(call -> assertThat(call.path("ResourceArn").asText())
                        .isEqualTo("arn:aws:rds:eu-west-1:123456789012:db:customers"));
    }

    @Test
    void stepFunctionsInputIsAPlainRequest() {
        JsonNode response = invoke(aws.handler(), event("step-functions-input.json")).json();

        assertThat(response.path("BackupJobId").asText()).isNotBlank();
        assertThat(aws.backupCalls()).singleElement()
                .satisfies(call -> assertThat(call.path("BackupVaultName").asText()).isEqualTo("Production"));
    }

    @Test
    void eventBridgeEventCarriesTheRequestInItsDetail() {
        JsonNode response = invoke(aws.handler(), event("eventbridge-event.json")).json();

        assertThat(response.path("BackupJobId").asText()).isNotBlank();
        JsonNode call = aws.backupCalls().getFirst();
        assertThat(call.path("ResourceArn").asText())
                .isEqualTo("arn:aws:elasticfilesystem:eu-west-1:123456789012:file-system/fs-0123456789abcdef0");
        assertThat(call.path("CompleteWindowMinutes").asLong()).isEqualTo(240);
    }

    @Test
    void sqsBatchReportsExactlyTheRecordsThatStartedNoJob() {
        // given a batch of a plain request, an EventBridge event, a request with a typo and a body that is not JSON
        String event = event("sqs-batch.json");

        // when
        LocalAws.Outcome outcome = invoke(aws.handler(), event);

        // then the two valid records started jobs and the two others are reported for the queue to retry,
        // in exactly the JSON of Lambda's partial batch response
        assertThat(outcome.response()).isEqualTo("{\"batchItemFailures\":["
                + "{\"itemIdentifier\":\"b1a2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d\"},"
                + "{\"itemIdentifier\":\"f0e1d2c3-b4a5-4968-8776-655443322110\"}]}");
        assertThat(aws.backupCalls()).extracting(call -> call.path("ResourceArn").asText()).containsExactlyInAnyOrder(
                "arn:aws:dynamodb:eu-west-1:123456789012:table/invoices", "arn:aws:s3:::customer-uploads");
    }

    @Test
    void sqsBatchWithOnlyGoodRecordsReportsNoFailures() {
        String event = event("sqs-batch.json").replace("ResourceARN", "ResourceArn")
                .replace("backup the ledger table please", "{}");

        LocalAws.Outcome outcome = invoke(aws.handler(), event);

        assertThat(outcome.response()).isEqualTo("{\"batchItemFailures\":[]}");
        assertThat(aws.backupCalls()).hasSize(4);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "no body           | {\"messageId\": \"m-1\", \"eventSource\": \"aws:sqs\"}"
                + "                                    | The SQS message has no body",
        "body not a string | {\"messageId\": \"m-1\", \"eventSource\": \"aws:sqs\", \"body\": {}}"
                + "                  | The SQS message has no body",
        "body an array     | {\"messageId\": \"m-1\", \"eventSource\": \"aws:sqs\", \"body\": \"[1]\"}"
                + "               | The SQS message body must be a JSON object",
        "body not JSON     | {\"messageId\": \"m-1\", \"eventSource\": \"aws:sqs\", \"body\": \"{oops\"}"
                + "             | The input is not valid JSON at line 1, column 2"})
    void sqsRecordWithAnUnusableBodyIsReportedWithItsReason(String problem, String record, String reason) {
        // when
        JsonNode response = invoke(aws.handler(), "{\"Records\": [" + record + "]}").json();

        // then
        assertThat(response.path("batchItemFailures").findValuesAsText("itemIdentifier")).containsExactly("m-1");
        assertThat(aws.logLines()).anySatisfy(line -> assertThat(line.path("message").asText())
                .isEqualTo("Backup request rejected; a retry cannot help until it is fixed: " + reason));
        assertThat(aws.backupCalls()).isEmpty();
    }

    @ParameterizedTest(name = "messageId {0}")
    @CsvSource(delimiter = '|', value = {
        "missing      | ''",
        "empty        | '\"messageId\": \"\", '",
        "a number     | '\"messageId\": 42, '",
        "null         | '\"messageId\": null, '",
        "an object    | '\"messageId\": {}, '"})
    void sqsRecordWithoutUsableMessageIdFailsTheWholeBatchSoNothingIsLost(String problem, String messageId) {
        // given a good record followed by one without a usable messageId
        String event = "{\"Records\": [{\"messageId\": \"m-0\", \"eventSource\": \"aws:sqs\", \"body\": \"{}\"}, {"
                + messageId + "\"eventSource\": \"aws:sqs\", \"body\": \"{}\"}]}";

        // when
        LocalAws.Outcome outcome = invoke(aws.handler(), event);

        // then
        assertThat(outcome.error()).isExactlyInstanceOf(InvalidRequestException.class)
                .hasMessage("Records[1].messageId must be a non-empty string");
        assertThat(aws.backupCalls()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "no records (no SQS event: a request with an unknown key)"
                + " | {\"Records\": []}"
                + " | Records: is not a known field",
        "eventSource of SNS"
                + " | {\"Records\": [{\"messageId\": \"m-1\", \"eventSource\": \"aws:sns\", \"body\": \"{}\"}]}"
                + " | Records: is not a known field",
        "eventSource in upper case"
                + " | {\"Records\": [{\"messageId\": \"m-1\", \"eventSource\": \"AWS:SQS\", \"body\": \"{}\"}]}"
                + " | Records: is not a known field",
        "eventSource null"
                + " | {\"Records\": [{\"messageId\": \"m-1\", \"eventSource\": null, \"body\": \"{}\"}]}"
                + " | Records: is not a known field",
        "no eventSource"
                + " | {\"Records\": [{\"messageId\": \"m-1\", \"body\": \"{}\"}]}"
                + " | Records: is not a known field",
        "EventBridge event without detail"
                + " | {\"id\": \"e-1\", \"detail-type\": \"Backup Requested\"}"
                + " | 2 problems: id: is not a known field; detail-type: is not a known field",
        "EventBridge event without detail-type"
                + " | {\"id\": \"e-1\", \"detail\": {}}"
                + " | 2 problems: id: is not a known field; detail: is not a known field",
        "EventBridge id null"
                + " | {\"id\": null, \"detail-type\": \"Backup Requested\", \"detail\": {}}"
                + " | id: the EventBridge event id must be a string without control characters"})
    void eventThatIsNoUsableSqsOrEventBridgeEventIsRejectedWithoutCallingBackup(String problem, String event,
            String message) {
        // when
        LocalAws.Outcome outcome = invoke(aws.handler(), event);

        // then
        assertThat(outcome.error()).isExactlyInstanceOf(InvalidRequestException.class).hasMessage(message);
        assertThat(aws.backupCalls()).isEmpty();
    }

    @Test
    void envelopeFieldsOfAnyTypeAreNotPartOfTheRequest() {
        // given an EventBridge event whose envelope has odd values, and an SQS record with null attributes
        String eventBridge = "{\"version\": null, \"id\": \"e-1\", \"detail-type\": \"Backup Requested\", "
                + "\"source\": 42, \"time\": [], \"resources\": {}, \"Detail\": \"x\", \"Records\": [], "
                + "\"detail\": {}}";
        String sqs = "{\"Records\": [{\"messageId\": \"m-1\", \"eventSource\": \"aws:sqs\", \"receiptHandle\": null, "
                + "\"attributes\": null, \"messageAttributes\": null, \"md5OfBody\": null, \"awsRegion\": null, "
                + "\"body\": \"{}\"}]}";

        // when
        LocalAws.Outcome fromEventBridge = invoke(aws.handler(), eventBridge);
        LocalAws.Outcome fromSqs = invoke(aws.handler(), sqs);

        // then
        assertThat(fromEventBridge.json().path("BackupJobId").asText()).isNotBlank();
        assertThat(fromSqs.response()).isEqualTo("{\"batchItemFailures\":[]}");
        assertThat(aws.backupCalls()).hasSize(2);
    }

    @Test
    void sqsRecordOfARunCarriesItsKeyDeadlineAndReceiveCount() {
        // given the first record of the sample, its deadline given with a fraction of a second
        ObjectNode record = (ObjectNode) LocalAws.parse(event("sqs-run-requests.json")).path("Records").get(0);
        ((ObjectNode) record.at("/messageAttributes/RunDeadline")).put("stringValue", "1796133600.75");
        ((ObjectNode) record.path("attributes")).put("ApproximateReceiveCount", "3");
        EventShapes shapes = new EventShapes(EventShapes.STRICT_JSON);

        // when
        Invocation.SqsBatch batch = (Invocation.SqsBatch) shapes.classify(
                LocalAws.parse("{\"Records\": [" + record + "]}"), "invocation");

        // then
        Invocation.SqsMessage message = batch.messages().getFirst();
        assertThat(message.receiveCount()).isEqualTo(3);
        assertThat(shapes.run(message)).contains(new Run("2026-12-01-nightly",
                Instant.parse("2026-12-01T14:00:00Z")));
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            SelectionKey, messageAttributes.RunDeadline: must be a Number of epoch seconds
            RunDeadline, messageAttributes.SelectionKey: must be a non-empty String
            """)
    void sqsRecordWithOneRunAttributeOnlyIsRejected(String left, String message) {
        // given
        ObjectNode record = (ObjectNode) LocalAws.parse(event("sqs-run-requests.json")).path("Records").get(0);
        ObjectNode attributes = (ObjectNode) record.path("messageAttributes");
        attributes.retain(left);
        EventShapes shapes = new EventShapes(EventShapes.STRICT_JSON);
        Invocation.SqsBatch batch = (Invocation.SqsBatch) shapes.classify(
                LocalAws.parse("{\"Records\": [" + record + "]}"), "invocation");

        // when / then
        assertThatThrownBy(() -> shapes.run(batch.messages().getFirst()))
                .isExactlyInstanceOf(InvalidRequestException.class).hasMessageStartingWith(message);
    }

    @Test
    void sqsRecordWithoutRunAttributesIsOfNoRun() {
        EventShapes shapes = new EventShapes(EventShapes.STRICT_JSON);
        Invocation.SqsBatch batch = (Invocation.SqsBatch) shapes.classify(LocalAws.parse(event("sqs-batch.json")),
                "invocation");

        assertThat(batch.messages()).allSatisfy(message -> {
            assertThat(shapes.run(message)).isEmpty();
            assertThat(message.receiveCount()).isEqualTo(1);
        });
    }
}
