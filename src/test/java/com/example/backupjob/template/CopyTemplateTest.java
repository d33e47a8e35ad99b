package com.example.backupjob.template;

import static com.example.backupjob.template.CloudFormationTemplates.actions;
import static com.example.backupjob.template.CloudFormationTemplates.policyStatements;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.example.backupjob.copy.CopyConfiguration;
import com.example.backupjob.handler.CopyBackupsHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * What a deploy creates for copies, read from template.yaml as the AWS SAM translator transforms it: nothing without
 * CopyDestinationVaultArns; with them, the copy function fed by its queue, its least-privilege role, its failure paths
 * and alarms. Which resources a deploy creates is decided by their Condition, evaluated here as CloudFormation does
 * with the deploy's parameter values.
 */
class CopyTemplateTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNode TEMPLATE = CloudFormationTemplates.template();
    private static final JsonNode DEPLOYED = SamTranslator.deployed(CopyRulesTest.WITH_COPIES);
    private static final JsonNode RESOURCES = DEPLOYED.path("Resources");
    private static final Set<String> COPY_RESOURCES = Set.of("BackupJobCompletedRule", "CopyQueue",
            "CopyDeadLetterQueue", "CopyQueuePolicy", "CopyBackupsFunction", "CopyBackupsFunctionCompletedJobs",
            "CopyBackupsFunctionRole", "CopyBackupsLogGroup", "CopyDeadLetterQueueAlarm", "CopyJobNeedsAttentionRule",
            "CopyJobNeedsAttentionAlarm", "CopyNotificationUndeliveredAlarm");

    @Test
    void nothingForCopiesIsDeployedWithoutDestinations() {
        assertThat(created(Map.of())).doesNotContainAnyElementsOf(COPY_RESOURCES)
                .contains("StartBackupJobFunction", "BackupJobStateMachine");
        assertThat(outputs(Map.of())).noneMatch(output -> output.startsWith("Copy"));
        assertThat(listCopyJobsStatement(Map.of())).as("ListCopyJobs for the workflow").isEmpty();
    }

    @Test
    void everythingForCopiesIsDeployedWithDestinations() {
        assertThat(created(CopyRulesTest.WITH_COPIES)).containsAll(COPY_RESOURCES);
        assertThat(outputs(CopyRulesTest.WITH_COPIES))
                .contains("CopyQueueUrl", "CopyDeadLetterQueueUrl", "CopyJobNeedsAttentionRuleArn");
        assertThat(listCopyJobsStatement(CopyRulesTest.WITH_COPIES)).singleElement()
                .satisfies(statement -> assertThat(statement.path("Resource").asText()).isEqualTo("*"));
    }

    @Test
    void theCopyFunctionRunsItsOwnHandlerFromTheSameArtifactOnJava25Arm64WithItsOwnLogGroup() throws Exception {
        JsonNode function = RESOURCES.path("CopyBackupsFunction").path("Properties");
        JsonNode template = TEMPLATE.at("/Resources/CopyBackupsFunction");
        List<String> variables = new ArrayList<>();
        function.at("/Environment/Variables").fieldNames().forEachRemaining(variables::add);

        assertThat(function.path("Handler").asText()).isEqualTo(CopyBackupsHandler.class.getName() + "::handleRequest");
        assertThat(function.path("Runtime").asText()).isEqualTo("java25");
        assertThat(function.path("Architectures").toString()).isEqualTo("[\"arm64\"]");
        assertThat(template.at("/Metadata/BuildMethod").asText()).isEqualTo("makefile");
        assertThat(template.at("/Properties/CodeUri").asText())
                .isEqualTo(TEMPLATE.at("/Resources/StartBackupJobFunction/Properties/CodeUri").asText());
        assertThat(function.at("/Role/Fn::GetAtt/0").asText()).isEqualTo("CopyBackupsFunctionRole");
        assertThat(function.at("/LoggingConfig/LogGroup/Ref").asText()).isEqualTo("CopyBackupsLogGroup");
        assertThat(variables).containsAll(variableNames());
        assertThat(function.at("/Environment/Variables/BACKUP_VAULT_ARN/Fn::Sub").asText())
                .isEqualTo("arn:${AWS::Partition}:backup:${AWS::Region}:${AWS::AccountId}:backup-vault:${BackupVaultName}");
    }

    @Test
    void theCopyQueueFeedsTheFunctionWithBatchItemFailuresAndOutlastsSixTimeoutsBeforeItsDeadLetterQueue() {
        JsonNode queue = RESOURCES.at("/CopyQueue/Properties");
        JsonNode mapping = RESOURCES.at("/CopyBackupsFunctionCompletedJobs/Properties");
        JsonNode deadLetters = RESOURCES.at("/CopyDeadLetterQueue/Properties");
        int timeout = RESOURCES.at("/CopyBackupsFunction/Properties/Timeout").asInt();

        assertThat(mapping.at("/EventSourceArn/Fn::GetAtt/0").asText()).isEqualTo("CopyQueue");
        assertThat(mapping.path("FunctionResponseTypes").toString()).isEqualTo("[\"ReportBatchItemFailures\"]");
        assertThat(queue.path("SqsManagedSseEnabled").asBoolean()).isTrue();
        assertThat(queue.path("VisibilityTimeout").asInt()).isGreaterThanOrEqualTo(6 * timeout);
        assertThat(queue.at("/RedrivePolicy/deadLetterTargetArn/Fn::GetAtt/0").asText()).isEqualTo("CopyDeadLetterQueue");
        assertThat(deadLetters.path("SqsManagedSseEnabled").asBoolean()).isTrue();
        assertThat(deadLetters.path("MessageRetentionPeriod").asInt()).isEqualTo(14 * 24 * 3600);
        JsonNode alarm = RESOURCES.at("/CopyDeadLetterQueueAlarm/Properties");
        assertThat(alarm.path("MetricName").asText()).isEqualTo("ApproximateNumberOfMessagesVisible");
        assertThat(alarm.at("/Dimensions/0/Value/Fn::GetAtt/0").asText()).isEqualTo("CopyDeadLetterQueue");
        assertThat(alarm.path("AlarmActions").toString())
                .isEqualTo(RESOURCES.at("/StartBackupJobErrorsAlarm/Properties/AlarmActions").toString());
    }

    @Test
    void onlyEventBridgeForTheCompletedJobRuleMaySendToTheCopyQueues() {
        JsonNode statements = RESOURCES.at("/CopyQueuePolicy/Properties/PolicyDocument/Statement");

        assertThat(statements).singleElement().satisfies(statement -> {
            assertThat(statement.at("/Principal/Service").asText()).isEqualTo("events.amazonaws.com");
            assertThat(actions(statement)).containsExactly("sqs:SendMessage");
            assertThat(statement.at("/Condition/ArnEquals/aws:SourceArn/Fn::GetAtt").toString())
                    .isEqualTo("[\"BackupJobCompletedRule\",\"Arn\"]");
        });
    }

    @Test
    void theCopyRoleMayDoWhatCopyingNeedsAndNothingMore() {
        Map<String, JsonNode> statements = new TreeMap<>();
        policyStatements(JSON.createObjectNode().set("Resources", JSON.createObjectNode()
                .set("CopyBackupsFunctionRole", RESOURCES.path("CopyBackupsFunctionRole"))))
                .forEach(statement -> statements.put(statement.path("Sid").asText(), statement));

        assertThat(statements.keySet()).containsExactlyInAnyOrder("WriteTheFunctionLog", "ConsumeTheCopyQueue",
                "CopyRecoveryPointsOfThisAccountAndRegion", "PassTheBackupRoleToAwsBackupOnly",
                "ReadJobMarksAndPaceCopies");
        assertThat(actions(statements.get("WriteTheFunctionLog")))
                .containsExactlyInAnyOrder("logs:CreateLogStream", "logs:PutLogEvents");
        assertThat(statements.get("WriteTheFunctionLog").at("/Resource/Fn::GetAtt/0").asText())
                .isEqualTo("CopyBackupsLogGroup");
        assertThat(actions(statements.get("ConsumeTheCopyQueue")))
                .containsExactlyInAnyOrder("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes");
        assertThat(statements.get("ConsumeTheCopyQueue").at("/Resource/Fn::GetAtt/0").asText()).isEqualTo("CopyQueue");

        JsonNode copy = statements.get("CopyRecoveryPointsOfThisAccountAndRegion");
        assertThat(actions(copy)).containsExactly("backup:StartCopyJob");
        assertThat(copy.path("Resource")).isNotEmpty().allSatisfy(resource -> assertThat(resource.path("Fn::Sub")
                .asText()).startsWith("arn:${AWS::Partition}:").contains(":${AWS::Region}:").doesNotContain("*:*"));
        assertThat(copy.path("Resource").get(0).path("Fn::Sub").asText())
                .isEqualTo("arn:${AWS::Partition}:backup:${AWS::Region}:${AWS::AccountId}:recovery-point:*");

        JsonNode passRole = statements.get("PassTheBackupRoleToAwsBackupOnly");
        assertThat(actions(passRole)).containsExactly("iam:PassRole");
        assertThat(passRole.at("/Resource/Ref").asText()).isEqualTo("BackupRoleArn");
        assertThat(passRole.at("/Condition/StringEquals/iam:PassedToService").asText())
                .isEqualTo("backup.amazonaws.com");

        JsonNode table = statements.get("ReadJobMarksAndPaceCopies");
        assertThat(actions(table)).containsExactlyInAnyOrder("dynamodb:GetItem", "dynamodb:UpdateItem");
        assertThat(table.at("/Resource/Fn::GetAtt/0").asText()).isEqualTo("IdempotencyTable");
        assertThat(table.at("/Condition/ForAllValues:StringLike/dynamodb:LeadingKeys").toString())
                .isEqualTo("[\"job#*\",\"rate#StartCopyJob\"]");
        assertThat(RESOURCES.at("/CopyBackupsFunctionRole/Properties").has("ManagedPolicyArns")).isFalse();
    }

    @Test
    void everyCopyResourceExistsOnlyWithDestinations() {
        // cfn-lint checks that nothing unconditional refers to them; here, that each carries the condition.
        assertThat(COPY_RESOURCES).allSatisfy(id -> assertThat(RESOURCES.at("/" + id + "/Condition").asText())
                .as("%s's Condition", id).isEqualTo("HasCopyDestinations"));
    }

    /** The logical ids of the resources a deploy with these parameters creates. */
    private static Set<String> created(Map<String, String> parameters) {
        JsonNode deployed = SamTranslator.deployed(parameters);
        Set<String> created = new TreeSet<>();
        deployed.path("Resources").properties().forEach(resource -> {
            JsonNode condition = resource.getValue().path("Condition");
            if (condition.isMissingNode() || holds(deployed, condition.asText(), parameters)) {
                created.add(resource.getKey());
            }
        });
        return created;
    }

    private static Set<String> outputs(Map<String, String> parameters) {
        JsonNode deployed = SamTranslator.deployed(parameters);
        Set<String> outputs = new TreeSet<>();
        deployed.path("Outputs").properties().forEach(output -> {
            JsonNode condition = output.getValue().path("Condition");
            if (condition.isMissingNode() || holds(deployed, condition.asText(), parameters)) {
                outputs.add(output.getKey());
            }
        });
        return outputs;
    }

    /** The workflow role's ListCopyJobs statement, when the deploy's conditions keep it. */
    private static List<JsonNode> listCopyJobsStatement(Map<String, String> parameters) {
        JsonNode deployed = SamTranslator.deployed(parameters);
        List<JsonNode> kept = new ArrayList<>();
        CloudFormationTemplates.stream(deployed.at("/Resources/BackupJobStateMachineRole/Properties/Policies"))
                .flatMap(policy -> CloudFormationTemplates.stream(policy.at("/PolicyDocument/Statement")))
                .forEach(statement -> {
                    JsonNode branches = statement.path("Fn::If");
                    JsonNode chosen = branches.isMissingNode() ? statement
                            : holds(deployed, branches.path(0).asText(), parameters) ? branches.path(1) : branches.path(2);
                    if (actions(chosen).contains("backup:ListCopyJobs")) {
                        kept.add(chosen);
                    }
                });
        return kept;
    }

    /** A template condition, evaluated as CloudFormation does with these parameter values (the rest at default). */
    private static boolean holds(JsonNode deployed, String condition, Map<String, String> parameters) {
        return value(deployed, deployed.at("/Conditions/" + condition), parameters).equals(true);
    }

    private static Object value(JsonNode deployed, JsonNode node, Map<String, String> parameters) {
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isArray()) {
            List<Object> items = new ArrayList<>();
            node.elements().forEachRemaining(item -> items.add(value(deployed, item, parameters)));
            return items;
        }
        String function = node.fieldNames().next();
        JsonNode arguments = node.path(function);
        return switch (function) {
            case "Fn::Not" -> !value(deployed, arguments.path(0), parameters).equals(true);
            case "Fn::Equals" -> value(deployed, arguments.path(0), parameters)
                    .equals(value(deployed, arguments.path(1), parameters));
            case "Fn::Join" -> String.join(arguments.path(0).asText(),
                    ((List<?>) value(deployed, arguments.path(1), parameters)).stream().map(String::valueOf).toList());
            case "Condition" -> holds(deployed, arguments.asText(), parameters);
            case "Ref" -> {
                JsonNode parameter = deployed.at("/Parameters/" + arguments.asText());
                String text = parameters.containsKey(arguments.asText()) ? parameters.get(arguments.asText())
                        : parameter.path("Default").asText();
                yield parameter.path("Type").asText().equals("CommaDelimitedList")
                        ? List.of(text.split(",", -1)) : text;
            }
            default -> fail("No evaluation of " + function + " here");
        };
    }

    private static List<String> variableNames() throws IllegalAccessException {
        List<String> names = new ArrayList<>();
        for (Field field : CopyConfiguration.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
                names.add((String) field.get(null));
            }
        }
        return names;
    }
}
