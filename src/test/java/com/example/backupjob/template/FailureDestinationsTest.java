package com.example.backupjob.template;

import static com.example.backupjob.template.CloudFormationTemplates.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Nothing is lost on the asynchronous paths: every schedule, every rule target that invokes a function and every
 * asynchronous invocation ends, when it fails, in an encrypted queue of its function with an alarm on its depth. Read
 * from template.yaml as the AWS SAM translator deploys it, and found by resource type, so that a schedule or rule
 * added later is checked too.
 */
class FailureDestinationsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNode RESOURCES = SamTranslator.deployed().path("Resources");
    private static final JsonNode OUTPUTS = SamTranslator.deployed().path("Outputs");
    private static final int FOURTEEN_DAYS = 14 * 24 * 60 * 60;

    @Test
    void everySchedulerScheduleDeadLettersToAQueue() {
        Map<String, JsonNode> schedules = ofType("AWS::Scheduler::Schedule");

        assertThat(schedules).isNotEmpty();
        schedules.forEach((id, schedule) -> assertThat(queueOf(schedule.at("/Properties/Target/DeadLetterConfig/Arn")))
                .as("the dead-letter queue of schedule %s", id).isPresent());
    }

    @Test
    void everyRuleTargetThatInvokesAFunctionDeadLettersToAQueue() {
        List<AsynchronousPath> ruleTargets = asynchronousPaths().stream().filter(AsynchronousPath::isRule).toList();

        assertThat(ruleTargets).isNotEmpty().allSatisfy(path -> assertThat(queueOf(path.deadLetterArn()))
                .as("the dead-letter queue of %s", path.source()).isPresent());
    }

    @Test
    void everyRuleTargetThatIsAQueueDeadLettersToAQueueWithAnAlarm() {
        // BackupJobCompletedRule queues completed jobs for copying: an event EventBridge cannot queue is kept too.
        List<String> queueTargets = new ArrayList<>();
        ofType("AWS::Events::Rule").forEach((id, rule) -> targets(rule.at("/Properties/Targets")).forEach(target ->
                queueOf(target.path("Arn")).ifPresent(queue -> {
                    queueTargets.add(id);
                    assertThat(queueOf(target.at("/DeadLetterConfig/Arn"))).as("the dead-letter queue of rule %s", id)
                            .hasValueSatisfying(deadLetters -> assertThat(deadLetterQueues()).contains(deadLetters));
                })));

        assertThat(queueTargets).contains("BackupJobCompletedRule");
    }

    @Test
    void everyFunctionAScheduleOrRuleInvokesSendsFailedInvocationsToAQueueThroughTheQualifierItIsInvokedBy() {
        // SAM puts EventInvokeConfig on the alias when there is one; a configuration on $LATEST would not apply to
        // invocations of the alias.
        Map<Invoked, JsonNode> configs = eventInvokeConfigs();

        assertThat(asynchronousPaths()).isNotEmpty().allSatisfy(path -> {
            assertThat(configs).as("an EventInvokeConfig for %s, which %s invokes", path.invoked(), path.source())
                    .containsKey(path.invoked());
            assertThat(queueOf(configs.get(path.invoked()).at("/Properties/DestinationConfig/OnFailure/Destination")))
                    .as("the on-failure queue of %s", path.invoked()).isPresent();
        });
    }

    @Test
    void asynchronousInvocationsGetLambdasTwoRetriesAndTheLongestEventAgeExplicitly() {
        // Set on purpose rather than left to Lambda's defaults: a scheduled backup late is better than lost.
        Map<Invoked, JsonNode> configs = eventInvokeConfigs();

        assertThat(configs).isNotEmpty().allSatisfy((invoked, config) -> {
            assertThat(config.at("/Properties/MaximumRetryAttempts").isInt()).as("%s retries set", invoked).isTrue();
            assertThat(config.at("/Properties/MaximumRetryAttempts").asInt()).as("%s retries", invoked).isEqualTo(2);
            assertThat(config.at("/Properties/MaximumEventAgeInSeconds").isInt()).as("%s age set", invoked).isTrue();
            assertThat(config.at("/Properties/MaximumEventAgeInSeconds").asInt()).as("%s age", invoked)
                    .isEqualTo(6 * 60 * 60);
        });
    }

    @Test
    void eachFunctionKeepsItsUndeliveredEventsAndFailedInvocationsInOneQueueOfItsOwn() {
        // One queue per function: every message in it is replayed to that function.
        Map<String, Set<String>> queuesByFunction = new TreeMap<>();
        asynchronousPaths().forEach(path -> queuesByFunction.computeIfAbsent(path.invoked().function(),
                function -> new TreeSet<>()).add(queueOf(path.deadLetterArn()).orElse("no queue")));
        eventInvokeConfigs().forEach((invoked, config) -> queuesByFunction.computeIfAbsent(invoked.function(),
                function -> new TreeSet<>()).add(queueOf(onFailure(config)).orElse("no queue")));

        assertThat(queuesByFunction).isNotEmpty().allSatisfy((function, queues) ->
                assertThat(queues).as("the failure queues of %s", function).hasSize(1).doesNotContain("no queue"));
        assertThat(queuesByFunction.values().stream().flatMap(Set::stream).distinct())
                .as("one queue for each function").hasSameSizeAs(queuesByFunction.keySet());
    }

    @Test
    void everyQueueFailuresEndInIsEncryptedKeepsThemFourteenDaysAndHasItsUrlAsAnOutput() {
        assertThat(deadLetterQueues()).isNotEmpty().allSatisfy(queue -> {
            JsonNode properties = RESOURCES.path(queue).path("Properties");
            // SSE-SQS rather than a KMS key: Scheduler, EventBridge and Lambda send to it without a key policy.
            assertThat(properties.path("SqsManagedSseEnabled").asBoolean()).as("%s encrypted", queue).isTrue();
            assertThat(properties.path("MessageRetentionPeriod").asInt()).as("%s retention", queue)
                    .isEqualTo(FOURTEEN_DAYS);
            assertThat(OUTPUTS.properties()).as("an output with the URL of %s", queue).anySatisfy(output -> {
                assertThat(output.getKey()).endsWith("Url");
                assertThat(output.getValue().path("Value")).isEqualTo(ref(queue));
            });
        });
    }

    @Test
    void everyQueueFailuresEndInHasAnAlarmOnItsDepthThatNotifiesTheAlarmTopic() {
        JsonNode alarmActions = json("{\"Fn::If\": [\"HasAlarmTopic\", [{\"Ref\": \"AlarmTopicArn\"}],"
                + " {\"Ref\": \"AWS::NoValue\"}]}");
        Map<String, JsonNode> alarms = ofType("AWS::CloudWatch::Alarm");

        assertThat(deadLetterQueues()).isNotEmpty().allSatisfy(queue -> assertThat(alarms.values())
                .as("an alarm on the depth of %s", queue).anySatisfy(alarm -> {
                    JsonNode properties = alarm.path("Properties");
                    assertThat(properties.path("Namespace").asText()).isEqualTo("AWS/SQS");
                    assertThat(properties.path("MetricName").asText()).isEqualTo("ApproximateNumberOfMessagesVisible");
                    assertThat(properties.path("Dimensions")).isEqualTo(json("[{\"Name\": \"QueueName\", \"Value\": "
                            + "{\"Fn::GetAtt\": [\"" + queue + "\", \"QueueName\"]}}]"));
                    assertThat(properties.path("Threshold").asDouble()).isEqualTo(1.0);
                    assertThat(properties.path("ComparisonOperator").asText())
                            .isEqualTo("GreaterThanOrEqualToThreshold");
                    assertThat(properties.path("AlarmActions")).isEqualTo(alarmActions);
                }));
    }

    @Test
    void onlyTheFunctionItsSchedulesAndItsRulesMaySendToItsFailureQueue() {
        // Lambda sends on-failure records with the function's own role, Scheduler dead letters with the schedule's
        // role; EventBridge sends a rule's dead letters as its service principal, which the queue policy allows for
        // that rule only. A grant that exists only under a condition the sender does not share counts as another.
        Map<String, Set<String>> expected = new TreeMap<>();
        eventInvokeConfigs().forEach((invoked, config) -> queueOf(onFailure(config)).ifPresent(queue ->
                expected.computeIfAbsent(queue, q -> new TreeSet<>()).add(
                        roleSender(RESOURCES.at("/" + invoked.function() + "/Properties/Role"))
                                + conditionOf(RESOURCES.path(invoked.function())))));
        asynchronousPaths().forEach(path -> queueOf(path.deadLetterArn()).ifPresent(queue ->
                expected.computeIfAbsent(queue, q -> new TreeSet<>()).add(path.deadLetterSender())));

        assertThat(expected).isNotEmpty().hasSameSizeAs(asynchronousFunctions());
        expected.forEach((queue, senders) ->
                assertThat(sendersTo(queue)).as("who may send to %s", queue).isEqualTo(senders));
    }

    /** A function as an invoker reaches it: its logical id and the qualifier ($LATEST or an alias name). */
    private record Invoked(String function, String qualifier) {
    }

    /**
     * One asynchronous path into a function: a schedule or a rule target, the queue its undelivered events go to
     * and who sends them there.
     */
    private record AsynchronousPath(String source, Invoked invoked, JsonNode deadLetterArn, String deadLetterSender) {

        boolean isRule() {
            return source.startsWith("rule ");
        }
    }

    private static List<AsynchronousPath> asynchronousPaths() {
        List<AsynchronousPath> paths = new ArrayList<>();
        ofType("AWS::Scheduler::Schedule").forEach((id, schedule) -> {
            JsonNode target = schedule.at("/Properties/Target");
            invoked(target.path("Arn")).ifPresent(invoked -> paths.add(new AsynchronousPath("schedule " + id,
                    invoked, target.at("/DeadLetterConfig/Arn"),
                    roleSender(target.path("RoleArn")) + conditionOf(schedule))));
        });
        ofType("AWS::Events::Rule").forEach((id, rule) -> targets(rule.at("/Properties/Targets")).forEach(target ->
                invoked(target.path("Arn")).ifPresent(invoked -> paths.add(new AsynchronousPath("rule " + id,
                        invoked, target.at("/DeadLetterConfig/Arn"),
                        "events.amazonaws.com for rule " + id + conditionOf(rule))))));
        return paths;
    }

    private static Set<String> asynchronousFunctions() {
        Set<String> functions = new TreeSet<>();
        asynchronousPaths().forEach(path -> functions.add(path.invoked().function()));
        return functions;
    }

    /** Every queue that failures end in: dead-letter and on-failure queues, and the redrive targets of queues. */
    private static Set<String> deadLetterQueues() {
        Set<String> queues = new TreeSet<>();
        asynchronousPaths().forEach(path -> queues.add(queueOf(path.deadLetterArn()).orElseGet(() ->
                fail("%s dead-letters to no queue of the template: %s", path.source(), path.deadLetterArn()))));
        Map<Invoked, JsonNode> configs = eventInvokeConfigs();
        asynchronousPaths().forEach(path -> queues.add(queueOf(onFailure(configs.get(path.invoked()))).orElseGet(() ->
                fail("%s, which %s invokes, sends failed invocations to no queue of the template", path.invoked(),
                        path.source()))));
        ofType("AWS::SQS::Queue").values().forEach(queue ->
                queueOf(queue.at("/Properties/RedrivePolicy/deadLetterTargetArn")).ifPresent(queues::add));
        return queues;
    }

    /** Who may send to the queue: roles by their identity policies, services by the queue's policy. */
    private static Set<String> sendersTo(String queue) {
        Set<String> senders = new TreeSet<>();
        ofType("AWS::IAM::Role").forEach((id, role) -> stream(role.at("/Properties/Policies"))
                .flatMap(policy -> statements(policy.path("PolicyDocument")))
                .filter(statement -> allowsSendingTo(statement, queue))
                .forEach(statement -> senders.add("role " + id + conditionOf(role))));
        Stream.concat(ofType("AWS::IAM::Policy").values().stream(), ofType("AWS::IAM::ManagedPolicy").values().stream())
                .filter(policy -> statements(policy.at("/Properties/PolicyDocument"))
                        .anyMatch(statement -> allowsSendingTo(statement, queue)))
                .forEach(policy -> stream(policy.at("/Properties/Roles")).forEach(role ->
                        senders.add("role " + role.path("Ref").asText(role.toString()) + conditionOf(policy))));
        ofType("AWS::SQS::QueuePolicy").values().stream()
                .filter(policy -> stream(policy.at("/Properties/Queues")).anyMatch(ref(queue)::equals))
                .forEach(policy -> statements(policy.at("/Properties/PolicyDocument"))
                        .filter(statement -> allowsSendingTo(statement, queue))
                        .forEach(statement -> senders.add(
                                principal(statement) + sourceCondition(statement) + conditionOf(policy))));
        return senders;
    }

    private static boolean allowsSendingTo(JsonNode statement, String queue) {
        return statement.path("Effect").asText().equals("Allow")
                && items(statement.path("Action")).map(JsonNode::asText)
                        .anyMatch(action -> Set.of("sqs:SendMessage", "sqs:*", "*").contains(action))
                && items(statement.path("Resource"))
                        // A wildcard anywhere in the resource, also inside Fn::Sub, may match the queue.
                        .anyMatch(resource -> resource.toString().contains("*")
                                || queueOf(resource).equals(Optional.of(queue)));
    }

    /** The template condition a resource exists under, as part of a sender's name; empty when it always exists. */
    private static String conditionOf(JsonNode resource) {
        return resource.has("Condition") ? " if " + resource.path("Condition").asText() : "";
    }

    private static String principal(JsonNode statement) {
        JsonNode service = statement.at("/Principal/Service");
        return service.isMissingNode() ? "principal " + statement.path("Principal") : service.asText();
    }

    private static String sourceCondition(JsonNode statement) {
        JsonNode sourceArn = statement.at("/Condition/ArnEquals/aws:SourceArn");
        JsonNode rule = sourceArn.path("Fn::GetAtt").path(0);
        if (rule.isTextual() && sourceArn.path("Fn::GetAtt").path(1).asText().equals("Arn")
                && RESOURCES.at("/" + rule.asText() + "/Type").asText().equals("AWS::Events::Rule")) {
            return " for rule " + rule.asText();
        }
        return " for any source: " + statement.path("Condition");
    }

    private static String roleSender(JsonNode roleArn) {
        JsonNode role = roleArn.path("Fn::GetAtt");
        return role.path(1).asText().equals("Arn") ? "role " + role.path(0).asText() : "role " + roleArn;
    }

    /** The function and qualifier a target ARN names; empty when it is no function of the template. */
    private static Optional<Invoked> invoked(JsonNode arn) {
        String referenced = arn.has("Ref") ? arn.path("Ref").asText() : arn.path("Fn::GetAtt").path(0).asText();
        JsonNode resource = RESOURCES.path(referenced);
        switch (resource.path("Type").asText()) {
            case "AWS::Lambda::Alias" -> {
                return Optional.of(new Invoked(resource.at("/Properties/FunctionName/Ref").asText(),
                        resource.at("/Properties/Name").asText()));
            }
            case "AWS::Lambda::Function" -> {
                return Optional.of(new Invoked(referenced, "$LATEST"));
            }
            default -> {
                if (arn.toString().contains(":lambda:")) {
                    fail("Cannot tell which function of the template this target invokes: " + arn);
                }
                return Optional.empty();
            }
        }
    }

    private static Map<Invoked, JsonNode> eventInvokeConfigs() {
        Map<Invoked, JsonNode> configs = new LinkedHashMap<>();
        ofType("AWS::Lambda::EventInvokeConfig").values().forEach(config -> configs.put(new Invoked(
                config.at("/Properties/FunctionName/Ref").asText(), config.at("/Properties/Qualifier").asText()),
                config));
        return configs;
    }

    private static JsonNode onFailure(JsonNode eventInvokeConfig) {
        return eventInvokeConfig == null ? JSON.missingNode()
                : eventInvokeConfig.at("/Properties/DestinationConfig/OnFailure/Destination");
    }

    /** The queue of the template an ARN names ({@code !GetAtt Queue.Arn}). */
    private static Optional<String> queueOf(JsonNode arn) {
        JsonNode getAtt = arn.path("Fn::GetAtt");
        String queue = getAtt.path(0).asText();
        return getAtt.path(1).asText().equals("Arn")
                && RESOURCES.at("/" + queue + "/Type").asText().equals("AWS::SQS::Queue")
                ? Optional.of(queue) : Optional.empty();
    }

    /** A rule's targets, also those behind {@code Fn::If} (a target that exists with a condition only). */
    private static Stream<JsonNode> targets(JsonNode targets) {
        if (targets.isArray()) {
            return stream(targets);
        }
        JsonNode branches = targets.path("Fn::If");
        return branches.isArray() ? Stream.concat(targets(branches.path(1)), targets(branches.path(2))) : Stream.empty();
    }

    private static Stream<JsonNode> statements(JsonNode policyDocument) {
        return items(policyDocument.path("Statement"));
    }

    /** A policy element written as one value or a list of them. */
    private static Stream<JsonNode> items(JsonNode node) {
        return node.isArray() ? stream(node) : node.isMissingNode() ? Stream.empty() : Stream.of(node);
    }

    private static Map<String, JsonNode> ofType(String type) {
        Map<String, JsonNode> resources = new TreeMap<>();
        RESOURCES.properties().forEach(resource -> {
            if (resource.getValue().path("Type").asText().equals(type)) {
                resources.put(resource.getKey(), resource.getValue());
            }
        });
        return resources;
    }

    private static JsonNode ref(String logicalId) {
        return JSON.createObjectNode().put("Ref", logicalId);
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
