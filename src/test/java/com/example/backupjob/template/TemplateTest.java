package com.example.backupjob.template;

import static com.example.backupjob.template.CloudFormationTemplates.actions;
import static com.example.backupjob.template.CloudFormationTemplates.policyStatements;
import static org.assertj.core.api.Assertions.assertThat;

import com.example.backupjob.config.Configuration;
import com.example.backupjob.handler.SelectBackupResourcesHandler;
import com.example.backupjob.handler.TrackBackupRunsHandler;
import com.example.backupjob.request.RequestDefaults;
import com.example.backupjob.request.RequestReader;
import com.example.backupjob.run.RunRecords;
import com.example.backupjob.selection.SelectionConfiguration;
import com.example.backupjob.selection.SelectionReader;
import com.example.backupjob.selection.SelectionRequest;
import com.example.backupjob.tracking.TrackerConfiguration;
import com.example.backupjob.selection.SelectionService;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What the deployed stack must guarantee: what CloudFormation creates is read from template.yaml as the AWS SAM
 * translator transforms it (roles, functions with their Globals, event source mappings, schedules, outputs); what
 * the template itself says (parameters, SAM properties) from template.yaml.
 */
class TemplateTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNode TEMPLATE = CloudFormationTemplates.template();
    private static final JsonNode RESOURCES = TEMPLATE.path("Resources");
    private static final JsonNode FUNCTION = RESOURCES.path("StartBackupJobFunction").path("Properties");
    private static final JsonNode SELECTION = RESOURCES.path("SelectBackupResourcesFunction").path("Properties");
    private static final JsonNode DEPLOYED = SamTranslator.deployed();
    private static final JsonNode DEPLOYED_RESOURCES = DEPLOYED.path("Resources");
    private static final JsonNode DEPLOYED_FUNCTION =
            SamTranslator.resource(DEPLOYED, "StartBackupJobFunction").path("Properties");
    private static final JsonNode DEPLOYED_SELECTION =
            SamTranslator.resource(DEPLOYED, "SelectBackupResourcesFunction").path("Properties");

    @Test
    void noStatementAllowsAWildcardAction() {
        // Every role the stack creates, those SAM generates for the schedules and the workflow included.
        List<String> actions = policyStatements(DEPLOYED).stream().flatMap(s -> actions(s).stream()).toList();

        assertThat(actions).isNotEmpty().noneMatch(action -> action.contains("*"));
    }

    @Test
    void onlyDescribeBackupJobDescribeRegionSettingsAndGetResourcesAreGrantedOnEveryResource() {
        // None has resource-level permissions; every other action is scoped to a named resource.
        List<String> unscoped = policyStatements(DEPLOYED).stream()
                .filter(statement -> statement.path("Resource").asText().equals("*"))
                .flatMap(statement -> actions(statement).stream())
                .toList();

        assertThat(unscoped).containsExactlyInAnyOrder("backup:DescribeBackupJob", "backup:DescribeRegionSettings",
                "tag:GetResources");
    }

    @Test
    void functionUsesItsOwnRoleWithoutManagedPolicies() {
        // SAM's generated role would carry AWSLambdaBasicExecutionRole and AWSLambdaSQSQueueExecutionRole.
        JsonNode role = DEPLOYED_RESOURCES.path("StartBackupJobFunctionRole");

        assertThat(DEPLOYED_FUNCTION.path("Role").path("Fn::GetAtt").toString())
                .isEqualTo("[\"StartBackupJobFunctionRole\",\"Arn\"]");
        assertThat(FUNCTION.has("Policies")).as("SAM Policies on the function").isFalse();
        assertThat(role.path("Type").asText()).isEqualTo("AWS::IAM::Role");
        assertThat(CloudFormationTemplates.stream(DEPLOYED_RESOURCES)
                .filter(resource -> resource.path("Type").asText().equals("AWS::IAM::Role"))
                .flatMap(resource -> CloudFormationTemplates.stream(resource.at("/Properties/ManagedPolicyArns"))))
                .as("managed policies of any role the stack creates").isEmpty();
        assertThat(role.at("/Properties/AssumeRolePolicyDocument/Statement/0/Principal/Service").asText())
                .isEqualTo("lambda.amazonaws.com");
    }

    @Test
    void functionMayStartBackupJobsInTheConfiguredVaultOnly() {
        List<JsonNode> statements = statementsWith("backup:StartBackupJob");

        assertThat(statements).hasSize(1);
        assertThat(actions(statements.getFirst())).containsExactly("backup:StartBackupJob");
        assertThat(statements.getFirst().path("Resource").path("Fn::Sub").asText()).isEqualTo(
                "arn:${AWS::Partition}:backup:${AWS::Region}:${AWS::AccountId}:backup-vault:${BackupVaultName}");
    }

    @Test
    void functionMayPassTheBackupRoleToAwsBackupOnly() {
        // The copy function's role has its own statement (CopyTemplateTest).
        List<JsonNode> statements = roleStatements("StartBackupJobFunctionRole").stream()
                .filter(statement -> actions(statement).contains("iam:PassRole")).toList();

        assertThat(statements).hasSize(1);
        JsonNode statement = statements.getFirst();
        assertThat(actions(statement)).containsExactly("iam:PassRole");
        assertThat(statement.path("Resource").path("Ref").asText()).isEqualTo("BackupRoleArn");
        assertThat(statement.at("/Condition/StringEquals/iam:PassedToService").asText())
                .isEqualTo("backup.amazonaws.com");
    }

    @Test
    void functionMayUseTheIdempotencyTableOnlyAndOnlyAsTheStoreNeeds() {
        // The store's records, the shared rate's item, and the runs' items (written with the same four actions).
        List<JsonNode> statements = roleStatements("StartBackupJobFunctionRole").stream()
                .filter(statement -> actions(statement).stream().anyMatch(action -> action.startsWith("dynamodb:")))
                .toList();

        assertThat(statements).hasSize(1);
        assertThat(actions(statements.getFirst())).containsExactlyInAnyOrder(
                "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem");
        assertThat(statements.getFirst().path("Resource").path("Fn::GetAtt").toString())
                .isEqualTo("[\"IdempotencyTable\",\"Arn\"]");
    }

    @Test
    void functionMayConsumeItsOwnQueueAndSendOnlyToItsFailureQueue() {
        // Lambda sends a failed asynchronous invocation's record to the on-failure destination with this role.
        List<JsonNode> statements = roleStatements("StartBackupJobFunctionRole").stream()
                .filter(statement -> actions(statement).stream().anyMatch(action -> action.startsWith("sqs:")))
                .toList();

        assertThat(statements).extracting(statement -> actions(statement) + " on " + statement.path("Resource"))
                .containsExactlyInAnyOrder(
                        "[sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes] on {\"Fn::GetAtt\":[\"RequestQueue\",\"Arn\"]}",
                        "[sqs:SendMessage] on {\"Fn::GetAtt\":[\"StartBackupJobFailureQueue\",\"Arn\"]}");
    }

    @Test
    void selectionFunctionMayOnlyReadCreateAndUpdateTheRunsRecords() {
        // No DeleteItem, no Scan, and only the items whose partition key is a run's record or the list of open runs.
        List<JsonNode> statements = roleStatements("SelectBackupResourcesFunctionRole").stream()
                .filter(statement -> actions(statement).stream().anyMatch(action -> action.startsWith("dynamodb:")))
                .toList();

        assertThat(statements).hasSize(1);
        assertThat(actions(statements.getFirst()))
                .containsExactlyInAnyOrder("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem");
        assertThat(statements.getFirst().path("Resource").path("Fn::GetAtt").toString())
                .isEqualTo("[\"IdempotencyTable\",\"Arn\"]");
        assertThat(statements.getFirst().at("/Condition/ForAllValues:StringLike/dynamodb:LeadingKeys"))
                .extracting(JsonNode::asText).containsExactlyInAnyOrder("run#*", "runs#open");
    }

    @Test
    void continuationQueueOutlastsSixSelectionTimeoutsYetNotAPaginationTokenAndEndsInTheFailureQueue() {
        // A PaginationToken lasts 15 minutes: a continuation delivered again within them resumes from its token.
        JsonNode queue = RESOURCES.path("SelectionContinuationQueue").path("Properties");
        int timeout = DEPLOYED_SELECTION.path("Timeout").asInt();
        JsonNode mapping = mappingOf("SelectBackupResourcesFunction").path("Properties");

        assertThat(queue.path("VisibilityTimeout").asInt()).isGreaterThanOrEqualTo(6 * timeout)
                .isLessThan(15 * 60);
        // Most of an invocation goes to pages, not to the margin the function keeps before it hands the run on.
        assertThat(timeout).isGreaterThanOrEqualTo(4 * (int) SelectionService.HAND_ON_MARGIN.toSeconds());
        assertThat(queue.path("SqsManagedSseEnabled").asBoolean()).isTrue();
        assertThat(queue.at("/RedrivePolicy/deadLetterTargetArn/Fn::GetAtt").toString())
                .isEqualTo("[\"SelectBackupResourcesFailureQueue\",\"Arn\"]");
        assertThat(queue.at("/RedrivePolicy/maxReceiveCount").asInt()).isEqualTo(3);
        assertThat(queue.path("MessageRetentionPeriod").asInt())
                .isGreaterThanOrEqualTo(TEMPLATE.at("/Parameters/RequestMaxAgeMinutes/MaxValue").asInt() * 60)
                .isLessThan(RESOURCES.at("/SelectBackupResourcesFailureQueue/Properties/MessageRetentionPeriod").asInt());
        assertThat(mapping.at("/EventSourceArn/Fn::GetAtt").toString())
                .isEqualTo("[\"SelectionContinuationQueue\",\"Arn\"]");
        assertThat(mapping.path("BatchSize").asInt()).isEqualTo(1);
        assertThat(DEPLOYED_SELECTION.at("/Environment/Variables/CONTINUATION_QUEUE_URL/Ref").asText())
                .isEqualTo("SelectionContinuationQueue");
    }

    @Test
    void requestQueueKeepsARequestLongerThanItMayWaitAndShorterThanItsDeadLetterQueue() {
        // A request past its run's deadline must reach the function, which counts it as expired; SQS dropping it
        // would leave it uncounted. A dead letter keeps the age it had in the source queue.
        JsonNode maxAge = TEMPLATE.at("/Parameters/RequestMaxAgeMinutes");
        int retention = RESOURCES.at("/RequestQueue/Properties/MessageRetentionPeriod").asInt();

        assertThat(retention).isGreaterThan(maxAge.path("MaxValue").asInt() * 60)
                .isLessThan(RESOURCES.at("/RequestDeadLetterQueue/Properties/MessageRetentionPeriod").asInt());
        assertThat(maxAge.path("Default").asInt()).isBetween(maxAge.path("MinValue").asInt(),
                maxAge.path("MaxValue").asInt());
        // The selection alone reads it: a request carries its run's deadline to StartBackupJobFunction.
        assertThat(DEPLOYED_FUNCTION.at("/Environment/Variables/REQUEST_MAX_AGE_MINUTES").isMissingNode()).isTrue();
        assertThat(DEPLOYED_SELECTION.at("/Environment/Variables/REQUEST_MAX_AGE_MINUTES/Ref").asText())
                .isEqualTo("RequestMaxAgeMinutes");
    }

    @Test
    void queueOutlastsSixFunctionTimeoutsAndRedrivesAfterThreeReceives() {
        JsonNode queue = RESOURCES.path("RequestQueue").path("Properties");
        int timeout = DEPLOYED_FUNCTION.path("Timeout").asInt();

        assertThat(timeout).isPositive();
        assertThat(queue.path("VisibilityTimeout").asInt()).isGreaterThanOrEqualTo(6 * timeout);
        assertThat(queue.at("/RedrivePolicy/maxReceiveCount").asInt()).isEqualTo(3);
        assertThat(queue.at("/RedrivePolicy/deadLetterTargetArn/Fn::GetAtt").toString())
                .isEqualTo("[\"RequestDeadLetterQueue\",\"Arn\"]");
    }

    @Test
    void functionKnowsTheDeliveryAfterWhichAFailedRequestGoesToTheDeadLetterQueue() {
        // A request of a fleet run that fails on this delivery is counted as failed to start in its run.
        assertThat(DEPLOYED_FUNCTION.at("/Environment/Variables/" + Configuration.REQUEST_MAX_RECEIVE_COUNT).asText())
                .isEqualTo(RESOURCES.at("/RequestQueue/Properties/RedrivePolicy/maxReceiveCount").asText());
    }

    @Test
    void everyQueuedRecordCanStartBeforeItsDeadlineAtTheLowestRate() {
        // The records in flight wait for their turn one after another; the last must still start in time.
        JsonNode mapping = queueMapping().path("Properties");
        int inFlight = mapping.path("BatchSize").asInt() * mapping.at("/ScalingConfig/MaximumConcurrency").asInt();
        double lowestRate = TEMPLATE.at("/Parameters/StartBackupJobRate/MinValue").asDouble();
        double startMarginSeconds = 2.5;

        assertThat(lowestRate).isPositive();
        assertThat(inFlight / lowestRate + startMarginSeconds).isLessThan(DEPLOYED_FUNCTION.path("Timeout").asDouble());
        assertThat(DEPLOYED_FUNCTION.at("/Environment/Variables/START_BACKUP_JOB_RATE/Ref").asText())
                .isEqualTo("StartBackupJobRate");
    }

    @Test
    void queuesAreEncryptedAndTheDeadLetterQueueKeepsMessagesFourteenDays() {
        JsonNode deadLetters = RESOURCES.path("RequestDeadLetterQueue").path("Properties");

        assertThat(RESOURCES.at("/RequestQueue/Properties/SqsManagedSseEnabled").asBoolean()).isTrue();
        assertThat(deadLetters.path("SqsManagedSseEnabled").asBoolean()).isTrue();
        assertThat(deadLetters.path("MessageRetentionPeriod").asInt()).isEqualTo(14 * 24 * 60 * 60);
    }

    @Test
    void queueMappingReportsBatchItemFailuresWithBoundedConcurrency() {
        JsonNode mapping = queueMapping().path("Properties");

        assertThat(mapping.at("/EventSourceArn/Fn::GetAtt").toString()).isEqualTo("[\"RequestQueue\",\"Arn\"]");
        assertThat(mapping.path("FunctionResponseTypes").toString()).isEqualTo("[\"ReportBatchItemFailures\"]");
        assertThat(mapping.path("BatchSize").asInt()).isBetween(1, 10);
        assertThat(mapping.at("/ScalingConfig/MaximumConcurrency").asInt()).isBetween(2, 1000);
    }

    @Test
    void idempotencyTableMatchesWhatTheStoreExpects() {
        JsonNode table = RESOURCES.path("IdempotencyTable").path("Properties");

        assertThat(table.path("KeySchema").toString()).isEqualTo("[{\"AttributeName\":\"id\",\"KeyType\":\"HASH\"}]");
        assertThat(table.path("AttributeDefinitions").toString())
                .isEqualTo("[{\"AttributeName\":\"id\",\"AttributeType\":\"S\"}]");
        assertThat(table.at("/TimeToLiveSpecification/AttributeName").asText()).isEqualTo("expiration");
        assertThat(table.at("/TimeToLiveSpecification/Enabled").asBoolean()).isTrue();
        assertThat(table.path("BillingMode").asText()).isEqualTo("PAY_PER_REQUEST");
        assertThat(table.at("/SSESpecification/SSEEnabled").asBoolean()).isTrue();
        assertThat(FUNCTION.at("/Environment/Variables/IDEMPOTENCY_TABLE/Ref").asText()).isEqualTo("IdempotencyTable");
    }

    @Test
    void schedulerSendsAPlainRequestWhoseTokenIsTheExecutionId() throws Exception {
        JsonNode schedule = SamTranslator.resource(DEPLOYED, "StartBackupJobFunctionScheduled");
        // The placeholders stand inside JSON strings, so the template text is itself valid JSON.
        JsonNode input = JSON.readTree(schedule.at("/Properties/Target/Input/Fn::Sub").asText());

        assertThat(schedule.path("Type").asText()).isEqualTo("AWS::Scheduler::Schedule");
        assertThat(input.path("IdempotencyToken").asText()).isEqualTo("<aws.scheduler.execution-id>");
        assertThat(input.path("ResourceArn").asText()).isEqualTo("${ScheduledResourceArn}");
        assertThat(input.has("detail")).as("an EventBridge envelope").isFalse();
    }

    @Test
    void classicRuleSendsNoRequestSoItsResourceComesFromBackupDefaults() {
        JsonNode rule = SamTranslator.resource(DEPLOYED, "StartBackupJobFunctionScheduledRule");
        JsonNode assertion = TEMPLATE.at("/Rules/ScheduledRuleNeedsADefaultResource");

        assertThat(rule.path("Type").asText()).isEqualTo("AWS::Events::Rule");
        assertThat(rule.at("/Properties/Targets")).hasSize(1).allSatisfy(target -> assertThat(target.fieldNames())
                .as("what the target sends instead of the event").toIterable()
                .doesNotContain("Input", "InputPath", "InputTransformer"));
        assertThat(DEPLOYED_FUNCTION.at("/Environment/Variables/BACKUP_DEFAULTS/Ref").asText())
                .isEqualTo("BackupDefaults");
        assertThat(assertion.path("RuleCondition").toString()).contains("RuleScheduleExpression");
        assertThat(assertion.at("/Assertions/0/Assert").toString()).contains("BackupDefaults");
    }

    @Test
    void snapStartRestoresThePublishedVersionsOfTheJava25Function() {
        // The alias every invoker targets: AliasInvokersTest.
        assertThat(DEPLOYED_FUNCTION.at("/SnapStart/ApplyOn").asText()).isEqualTo("PublishedVersions");
        assertThat(FUNCTION.path("AutoPublishAlias").asText()).isEqualTo("live");
        assertThat(DEPLOYED_FUNCTION.path("Runtime").asText()).isEqualTo("java25");
        assertThat(DEPLOYED_FUNCTION.at("/Environment/Variables/JAVA_TOOL_OPTIONS").asText())
                .contains("-XX:TieredStopAtLevel=1");
    }

    @Test
    void setsEveryVariableTheConfigurationReads() throws IllegalAccessException {
        // SAM merges the Globals variables into the function's.
        Set<String> variables = new HashSet<>();
        DEPLOYED_FUNCTION.at("/Environment/Variables").fieldNames().forEachRemaining(variables::add);

        assertThat(variables).containsAll(configurationVariables());
    }

    @Test
    void logGroupKeepsLogsForTheConfiguredDays() {
        assertThat(DEPLOYED_FUNCTION.at("/LoggingConfig/LogGroup/Ref").asText()).isEqualTo("StartBackupJobLogGroup");
        assertThat(RESOURCES.at("/StartBackupJobLogGroup/Properties/RetentionInDays/Ref").asText())
                .isEqualTo("LogRetentionDays");
    }

    @Test
    void alarmsWatchFunctionErrorsTheDeadLetterQueueAndTheWorkflow() {
        assertThat(RESOURCES.at("/StartBackupJobErrorsAlarm/Properties/MetricName").asText()).isEqualTo("Errors");
        assertThat(RESOURCES.at("/StartBackupJobErrorsAlarm/Properties/Dimensions/0/Value/Ref").asText())
                .isEqualTo("StartBackupJobFunction");
        assertThat(RESOURCES.at("/DeadLetterQueueAlarm/Properties/MetricName").asText())
                .isEqualTo("ApproximateNumberOfMessagesVisible");
        assertThat(RESOURCES.at("/DeadLetterQueueAlarm/Properties/Dimensions/0/Value/Fn::GetAtt").toString())
                .isEqualTo("[\"RequestDeadLetterQueue\",\"QueueName\"]");
        assertThat(RESOURCES.at("/BackupJobWorkflowFailedAlarm/Properties/Dimensions/0/Value/Ref").asText())
                .isEqualTo("BackupJobStateMachine");
    }

    @Test
    void backupJobsNeedingAttentionNotifyTheAlarmTopicOnlyWhenThereIsOne() {
        JsonNode rule = RESOURCES.path("BackupJobNeedsAttentionRule");
        JsonNode targets = rule.at("/Properties/Targets/Fn::If");

        assertThat(rule.path("Type").asText()).isEqualTo("AWS::Events::Rule");
        assertThat(rule.at("/Properties/State").asText()).isEqualTo("ENABLED");
        assertThat(rule.at("/Properties/EventPattern/detail/backupVaultName/0/Ref").asText())
                .isEqualTo("BackupVaultName");
        assertThat(targets.path(0).asText()).isEqualTo("HasAlarmTopic");
        assertThat(targets.path(1)).hasSize(1);
        assertThat(targets.at("/1/0/Arn/Ref").asText()).isEqualTo("AlarmTopicArn");
        assertThat(targets.at("/1/0/InputTransformer/InputPathsMap").properties()).extracting(Map.Entry::getValue)
                .extracting(JsonNode::asText)
                .contains("$.detail.backupJobId", "$.detail.resourceArn", "$.detail.state", "$.detail.statusMessage");
        assertThat(targets.at("/2/Ref").asText()).isEqualTo("AWS::NoValue");
    }

    @Test
    void alarmsWatchTheBackupJobRuleMatchingAndFailingToDeliver() {
        Map<String, String> metrics = Map.of(
                "BackupJobNeedsAttentionAlarm", "TriggeredRules",
                "BackupJobNotificationUndeliveredAlarm", "FailedInvocations");

        metrics.forEach((alarm, metric) -> {
            JsonNode properties = RESOURCES.path(alarm).path("Properties");
            assertThat(properties.path("Namespace").asText()).as(alarm).isEqualTo("AWS/Events");
            assertThat(properties.path("MetricName").asText()).as(alarm).isEqualTo(metric);
            assertThat(properties.at("/Dimensions/0/Name").asText()).as(alarm).isEqualTo("RuleName");
            assertThat(properties.at("/Dimensions/0/Value/Ref").asText()).as(alarm)
                    .isEqualTo("BackupJobNeedsAttentionRule");
            assertThat(properties.path("AlarmActions").toString()).as(alarm)
                    .isEqualTo(RESOURCES.at("/StartBackupJobErrorsAlarm/Properties/AlarmActions").toString());
        });
    }

    @Test
    void outputsReturnWhatTheirNamesSay() {
        JsonNode outputs = DEPLOYED.path("Outputs");
        JsonNode alias = DEPLOYED_RESOURCES.path(outputs.at("/StartBackupJobFunctionAliasArn/Value/Ref").asText());

        assertThat(outputs.at("/StartBackupJobFunctionArn/Value/Fn::GetAtt").toString())
                .isEqualTo("[\"StartBackupJobFunction\",\"Arn\"]");
        // Ref of an alias is its ARN, of a queue its URL, of a table its name, of a state machine its ARN.
        assertThat(alias.path("Type").asText()).isEqualTo("AWS::Lambda::Alias");
        assertThat(alias.at("/Properties/FunctionName/Ref").asText()).isEqualTo("StartBackupJobFunction");
        assertThat(outputs.at("/RequestQueueUrl/Value/Ref").asText()).isEqualTo("RequestQueue");
        assertThat(outputs.at("/RequestDeadLetterQueueUrl/Value/Ref").asText()).isEqualTo("RequestDeadLetterQueue");
        assertThat(outputs.at("/StartBackupJobFailureQueueUrl/Value/Ref").asText())
                .isEqualTo("StartBackupJobFailureQueue");
        assertThat(outputs.at("/SelectBackupResourcesFailureQueueUrl/Value/Ref").asText())
                .isEqualTo("SelectBackupResourcesFailureQueue");
        assertThat(outputs.at("/IdempotencyTableName/Value/Ref").asText()).isEqualTo("IdempotencyTable");
        assertThat(outputs.at("/BackupJobStateMachineArn/Value/Ref").asText()).isEqualTo("BackupJobStateMachine");
        assertThat(outputs.at("/BackupJobNeedsAttentionRuleArn/Value/Fn::GetAtt").toString())
                .isEqualTo("[\"BackupJobNeedsAttentionRule\",\"Arn\"]");
    }

    @Test
    void selectionFunctionRunsItsOwnHandlerFromTheSameArtifact() {
        assertThat(SELECTION.path("CodeUri").asText()).isEqualTo(FUNCTION.path("CodeUri").asText());
        assertThat(SELECTION.path("Handler").asText())
                .isEqualTo(SelectBackupResourcesHandler.class.getName() + "::handleRequest");
        assertThat(SELECTION.path("Timeout").asInt()).isBetween(60, 900);
        assertThat(SELECTION.at("/Environment/Variables/REQUEST_QUEUE_URL/Ref").asText()).isEqualTo("RequestQueue");
    }

    @Test
    void selectionFunctionMayOnlyLogFindTaggedResourcesReadOptInsKeepRunsAndUseItsQueues() {
        List<JsonNode> statements = roleStatements("SelectBackupResourcesFunctionRole");

        assertThat(DEPLOYED_SELECTION.path("Role").path("Fn::GetAtt").toString())
                .isEqualTo("[\"SelectBackupResourcesFunctionRole\",\"Arn\"]");
        assertThat(SELECTION.has("Policies")).as("SAM Policies on the function").isFalse();
        assertThat(RESOURCES.at("/SelectBackupResourcesFunctionRole/Properties/ManagedPolicyArns").isMissingNode())
                .isTrue();
        assertThat(statements).extracting(statement -> actions(statement) + " on " + statement.path("Resource"))
                .containsExactlyInAnyOrder(
                        "[logs:CreateLogStream, logs:PutLogEvents] on {\"Fn::GetAtt\":[\"SelectBackupResourcesLogGroup\",\"Arn\"]}",
                        "[tag:GetResources] on \"*\"",
                        "[backup:DescribeRegionSettings] on \"*\"",
                        "[dynamodb:GetItem, dynamodb:PutItem, dynamodb:UpdateItem] on {\"Fn::GetAtt\":[\"IdempotencyTable\",\"Arn\"]}",
                        "[sqs:SendMessage] on {\"Fn::GetAtt\":[\"RequestQueue\",\"Arn\"]}",
                        "[sqs:SendMessage] on {\"Fn::GetAtt\":[\"SelectionContinuationQueue\",\"Arn\"]}",
                        "[sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes] on {\"Fn::GetAtt\":[\"SelectionContinuationQueue\",\"Arn\"]}",
                        "[sqs:SendMessage] on {\"Fn::GetAtt\":[\"SelectBackupResourcesFailureQueue\",\"Arn\"]}");
        assertThat(DEPLOYED_SELECTION.at("/LoggingConfig/LogGroup/Ref").asText())
                .isEqualTo("SelectBackupResourcesLogGroup");
        assertThat(RESOURCES.at("/SelectBackupResourcesLogGroup/Properties/RetentionInDays/Ref").asText())
                .isEqualTo("LogRetentionDays");
    }

    @Test
    void selectionScheduleSendsASelectionTheHandlerAcceptsAndIsDisabledWithoutTags() throws Exception {
        JsonNode schedule = SamTranslator.resource(DEPLOYED, "SelectBackupResourcesFunctionScheduled");
        JsonNode sub = schedule.at("/Properties/Target/Input/Fn::Sub");
        // The parameters as a deployment would give them, and SelectionResourceTypes' default.
        String input = sub.get(0).asText()
                .replace("${Tags}", "{\"backup\":[\"nightly\"]}")
                .replace("${SelectionResourceTypes}", TEMPLATE.at("/Parameters/SelectionResourceTypes/Default").asText());
        SelectionReader reader = new SelectionReader(new RequestReader(RequestDefaults.of(JSON.readTree(
                "{\"BackupVaultName\": \"Default\", \"IamRoleArn\": \"arn:aws:iam::123456789012:role/backup\"}"))));

        SelectionRequest request = reader.read(JSON.readTree(input));

        assertThat(schedule.path("Type").asText()).isEqualTo("AWS::Scheduler::Schedule");
        assertThat(schedule.at("/Properties/Target/Arn/Fn::GetAtt").toString())
                .isEqualTo("[\"SelectBackupResourcesFunction\",\"Arn\"]");
        assertThat(request.selection().tags()).containsOnlyKeys("backup");
        assertThat(request.template().idempotencyToken()).isEqualTo("<aws.scheduler.execution-id>");
        assertThat(sub.at("/1/Tags/Fn::If/0").asText()).isEqualTo("HasSelectionTags");
        assertThat(schedule.at("/Properties/State/Fn::If").toString())
                .isEqualTo("[\"HasSelectionTags\",\"ENABLED\",\"DISABLED\"]");
        assertThat(TEMPLATE.at("/Conditions/HasSelectionTags").toString()).contains("SelectionTags");
        assertThat(schedule.at("/Properties/ScheduleExpression/Ref").asText()).isEqualTo("SelectionScheduleExpression");
        assertThat(schedule.at("/Properties/ScheduleExpressionTimezone/Ref").asText())
                .isEqualTo("SelectionScheduleTimezone");
    }

    @Test
    void selectionFunctionSetsEveryVariableItsConfigurationReads() throws IllegalAccessException {
        Set<String> variables = new HashSet<>();
        DEPLOYED_SELECTION.at("/Environment/Variables").fieldNames().forEachRemaining(variables::add);

        assertThat(variables).containsAll(variableNames(SelectionConfiguration.class));
    }

    @Test
    void selectionErrorsAlarmAndOutputWatchAndNameTheSelectionFunction() {
        assertThat(RESOURCES.at("/SelectBackupResourcesErrorsAlarm/Properties/MetricName").asText()).isEqualTo("Errors");
        assertThat(RESOURCES.at("/SelectBackupResourcesErrorsAlarm/Properties/Dimensions/0/Value/Ref").asText())
                .isEqualTo("SelectBackupResourcesFunction");
        assertThat(TEMPLATE.at("/Outputs/SelectBackupResourcesFunctionArn/Value/Fn::GetAtt").toString())
                .isEqualTo("[\"SelectBackupResourcesFunction\",\"Arn\"]");
    }

    @Test
    void runTrackerRunsItsOwnHandlerFromTheSameArtifactFedByItsQueue() {
        JsonNode tracker = RESOURCES.path("TrackBackupRunsFunction").path("Properties");
        JsonNode deployed = SamTranslator.resource(DEPLOYED, "TrackBackupRunsFunction").path("Properties");
        JsonNode mapping = mappingOf("TrackBackupRunsFunction").path("Properties");
        JsonNode queue = RESOURCES.path("BackupJobStateChangeQueue").path("Properties");

        assertThat(tracker.path("CodeUri").asText()).isEqualTo(FUNCTION.path("CodeUri").asText());
        assertThat(RESOURCES.at("/TrackBackupRunsFunction/Metadata/BuildMethod").asText()).isEqualTo("makefile");
        assertThat(tracker.path("Handler").asText()).isEqualTo(TrackBackupRunsHandler.class.getName() + "::handleRequest");
        assertThat(deployed.path("Runtime").asText()).isEqualTo("java25");
        assertThat(deployed.path("Architectures").toString()).isEqualTo("[\"arm64\"]");
        assertThat(deployed.at("/Environment/Variables/IDEMPOTENCY_TABLE/Ref").asText()).isEqualTo("IdempotencyTable");
        assertThat(deployed.at("/Environment/Variables/ALARM_TOPIC_ARN/Ref").asText()).isEqualTo("AlarmTopicArn");
        assertThat(mapping.path("FunctionResponseTypes").toString()).isEqualTo("[\"ReportBatchItemFailures\"]");
        assertThat(queue.path("SqsManagedSseEnabled").asBoolean()).isTrue();
        assertThat(queue.path("VisibilityTimeout").asInt()).isGreaterThanOrEqualTo(6 * deployed.path("Timeout").asInt());
        assertThat(queue.at("/RedrivePolicy/deadLetterTargetArn/Fn::GetAtt/0").asText())
                .isEqualTo("BackupJobStateChangeDeadLetterQueue");
        assertThat(deployed.at("/LoggingConfig/LogGroup/Ref").asText()).isEqualTo("TrackBackupRunsLogGroup");
        assertThat(RESOURCES.at("/TrackBackupRunsLogGroup/Properties/RetentionInDays/Ref").asText())
                .isEqualTo("LogRetentionDays");
    }

    @Test
    void runTrackerSetsEveryVariableItsConfigurationReads() throws IllegalAccessException {
        Set<String> variables = new HashSet<>();
        SamTranslator.resource(DEPLOYED, "TrackBackupRunsFunction").at("/Properties/Environment/Variables")
                .fieldNames().forEachRemaining(variables::add);

        assertThat(variables).containsAll(variableNames(TrackerConfiguration.class));
    }

    @Test
    void runTrackerMayOnlyLogReadItsQueueUpdateTheRunsItemsAndPublishToTheAlarmTopic() {
        assertThat(SamTranslator.resource(DEPLOYED, "TrackBackupRunsFunction").at("/Properties/Role/Fn::GetAtt")
                .toString()).isEqualTo("[\"TrackBackupRunsFunctionRole\",\"Arn\"]");
        assertThat(describedStatements("TrackBackupRunsFunctionRole")).containsExactlyInAnyOrder(
                "[logs:CreateLogStream, logs:PutLogEvents] on {\"Fn::GetAtt\":[\"TrackBackupRunsLogGroup\",\"Arn\"]}",
                "[sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes] on "
                        + "{\"Fn::GetAtt\":[\"BackupJobStateChangeQueue\",\"Arn\"]}",
                "[dynamodb:GetItem, dynamodb:UpdateItem] on {\"Fn::GetAtt\":[\"IdempotencyTable\",\"Arn\"]} when "
                        + "{\"ForAllValues:StringLike\":{\"dynamodb:LeadingKeys\":[\"run#*\",\"job#*\",\"runs#open\"]}}",
                "[sqs:SendMessage] on {\"Fn::GetAtt\":[\"TrackBackupRunsFailureQueue\",\"Arn\"]}",
                "if HasAlarmTopic: [sns:Publish] on {\"Ref\":\"AlarmTopicArn\"}");
        assertThat(RunRecords.RUN_PREFIX + "*").isEqualTo("run#*");
        assertThat(RunRecords.JOB_PREFIX + "*").isEqualTo("job#*");
        assertThat(RunRecords.OPEN_RUNS).isEqualTo("runs#open");
    }

    @Test
    void runTrackersScheduleSendsTheCheckItsHandlerRecognises() throws Exception {
        JsonNode schedule = SamTranslator.resource(DEPLOYED, "TrackBackupRunsFunctionOpenRunsCheck");

        assertThat(schedule.path("Type").asText()).isEqualTo("AWS::Scheduler::Schedule");
        assertThat(schedule.at("/Properties/ScheduleExpression").asText()).isEqualTo("rate(15 minutes)");
        assertThat(JSON.readTree(schedule.at("/Properties/Target/Input").asText())
                .path(TrackBackupRunsHandler.CHECK_OPEN_RUNS).asBoolean()).isTrue();
        assertThat(schedule.at("/Properties/Target/Arn/Fn::GetAtt/0").asText()).isEqualTo("TrackBackupRunsFunction");
    }

    @Test
    void onlyTheRunRuleMayQueueJobStateChanges() {
        JsonNode statements = RESOURCES.at("/BackupJobStateChangeQueuePolicy/Properties/PolicyDocument/Statement");

        assertThat(statements).hasSize(1);
        assertThat(statements.at("/0/Principal/Service").asText()).isEqualTo("events.amazonaws.com");
        assertThat(statements.at("/0/Condition/ArnEquals/aws:SourceArn/Fn::GetAtt").toString())
                .isEqualTo("[\"BackupRunJobStateChangeRule\",\"Arn\"]");
        assertThat(RESOURCES.at("/BackupRunJobStateChangeRule/Properties/Targets/0/Arn/Fn::GetAtt/0").asText())
                .isEqualTo("BackupJobStateChangeQueue");
    }

    @Test
    void configurationDigestMayOnlyWriteItsOwnLog() {
        JsonNode function = SamTranslator.resource(DEPLOYED, "ConfigurationDigestFunction").path("Properties");
        List<JsonNode> statements = roleStatements("ConfigurationDigestFunctionRole");

        assertThat(function.at("/Role/Fn::GetAtt").toString())
                .isEqualTo("[\"ConfigurationDigestFunctionRole\",\"Arn\"]");
        assertThat(statements).hasSize(1);
        assertThat(actions(statements.getFirst()))
                .containsExactlyInAnyOrder("logs:CreateLogStream", "logs:PutLogEvents");
        assertThat(statements.getFirst().at("/Resource/Fn::GetAtt").toString())
                .isEqualTo("[\"ConfigurationDigestLogGroup\",\"Arn\"]");
        assertThat(DEPLOYED_RESOURCES.at("/ConfigurationDigestFunctionRole/Properties").has("ManagedPolicyArns"))
                .isFalse();
        assertThat(function.at("/LoggingConfig/LogGroup/Ref").asText()).isEqualTo("ConfigurationDigestLogGroup");
        assertThat(DEPLOYED_RESOURCES.at("/ConfigurationDigestLogGroup/Properties/RetentionInDays/Ref").asText())
                .isEqualTo("LogRetentionDays");
    }

    /** The statements of one role the stack creates. */
    private static List<JsonNode> roleStatements(String logicalId) {
        return policyStatements(JSON.createObjectNode().set("Resources",
                JSON.createObjectNode().set(logicalId, SamTranslator.resource(DEPLOYED, logicalId))));
    }

    /** The statements that allow this action, in every role the stack creates. */
    private static List<JsonNode> statementsWith(String action) {
        return policyStatements(DEPLOYED).stream().filter(statement -> actions(statement).contains(action)).toList();
    }

    /** The event source mapping SAM makes of the StartBackupJob function's SQS event. */
    private static JsonNode queueMapping() {
        return mappingOf("StartBackupJobFunction");
    }

    /** The one event source mapping that invokes this function (or an alias of it). */
    private static JsonNode mappingOf(String function) {
        List<JsonNode> mappings = CloudFormationTemplates.stream(DEPLOYED_RESOURCES)
                .filter(resource -> resource.path("Type").asText().equals("AWS::Lambda::EventSourceMapping"))
                .filter(resource -> References.names(resource.at("/Properties/FunctionName")).stream()
                        .anyMatch(name -> name.startsWith(function)))
                .toList();
        assertThat(mappings).as("event source mappings of %s", function).hasSize(1);
        return mappings.getFirst();
    }

    /** A role's statements, those that exist under a condition ({@code !If [Condition, statement, NoValue]}) too. */
    private static List<String> describedStatements(String role) {
        return roleStatements(role).stream().map(statement -> {
            JsonNode branches = statement.path("Fn::If");
            return branches.isArray() ? "if " + branches.path(0).asText() + ": " + describe(branches.path(1))
                    : describe(statement);
        }).toList();
    }

    private static String describe(JsonNode statement) {
        return actions(statement) + " on " + statement.path("Resource")
                + (statement.has("Condition") ? " when " + statement.path("Condition") : "");
    }

    /** The environment variable names Configuration declares as its public String constants. */
    private static List<String> configurationVariables() throws IllegalAccessException {
        return variableNames(Configuration.class);
    }

    private static List<String> variableNames(Class<?> configuration) throws IllegalAccessException {
        List<String> names = new ArrayList<>();
        for (Field field : configuration.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
                names.add((String) field.get(null));
            }
        }
        assertThat(names).as("Configuration's variable names").isNotEmpty();
        return names;
    }
}
