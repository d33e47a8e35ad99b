package com.example.backupjob.template;

import static com.example.backupjob.template.CloudFormationTemplates.stream;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.backup.model.BackupJobState;

/** The backup workflow: what it retries, what it stops on, and how it follows the job to its end. */
class StateMachineDefinitionTest {

    private static final String ERRORS = "com.example.backupjob.error.";
    private static final String BACKUP_SDK_ERRORS = "software.amazon.awssdk.services.backup.model.";
    private static final List<String> VALIDATION_ERRORS = List.of(
            ERRORS + "InvalidRequestException",
            ERRORS + "MissingParameterValueException",
            ERRORS + "InvalidParameterValueException");
    private static final List<String> RETRYABLE_ERRORS = List.of(
            ERRORS + "ServiceUnavailableException",
            ERRORS + "LimitExceededException",
            ERRORS + "ThrottlingException",
            ERRORS + "IdempotencyAlreadyInProgressException",
            ERRORS + "IdempotencyStoreException");

    private static final JsonNode DEFINITION = CloudFormationTemplates.stateMachine();
    private static final JsonNode STATES = DEFINITION.path("States");

    @Test
    void definitionIsJsonWhoseTransitionsAllLeadToStates() {
        List<String> targets = new ArrayList<>(List.of(DEFINITION.path("StartAt").asText()));
        stream(STATES).forEach(state -> {
            List.of(state.path("Next"), state.path("Default")).stream()
                    .filter(JsonNode::isTextual).forEach(next -> targets.add(next.asText()));
            stream(state.path("Choices")).forEach(choice -> targets.add(choice.path("Next").asText()));
            stream(state.path("Catch")).forEach(catcher -> targets.add(catcher.path("Next").asText()));
        });

        assertThat(STATES.isObject()).isTrue();
        assertThat(targets).allSatisfy(target -> assertThat(STATES.has(target)).as("state %s exists", target).isTrue());
    }

    @Test
    void everyErrorNameIsAStepFunctionsNameOrARealErrorClass() {
        Set<String> names = new TreeSet<>();
        stream(STATES).forEach(state -> errorNames(state).forEach(names::add));

        assertThat(names).isNotEmpty().allSatisfy(name -> {
            if (name.startsWith("States.") || name.startsWith("Lambda.")) {
                return;
            }
            // The function's errorType is the class name; the Backup SDK integration's is Backup.<exception>.
            String className = name.startsWith("Backup.")
                    ? BACKUP_SDK_ERRORS + name.substring("Backup.".length())
                    : name;
            assertThatCode(() -> Class.forName(className, false, getClass().getClassLoader()))
                    .as("error name %s names a class that exists", name)
                    .doesNotThrowAnyException();
            if (name.startsWith(ERRORS)) {
                Path classFile = Path.of("target", "classes", className.replace('.', '/') + ".class");
                assertThat(Files.exists(classFile)).as("%s is compiled from src/main", classFile).isTrue();
            }
        });
    }

    @Test
    void backupErrorNamesAreUsedOnlyByBackupSdkTasks() {
        List<JsonNode> otherStates = stream(STATES)
                .filter(state -> !state.path("Resource").asText().startsWith("arn:aws:states:::aws-sdk:backup:"))
                .toList();

        assertThat(otherStates).flatMap(StateMachineDefinitionTest::errorNames)
                .noneMatch(name -> name.startsWith("Backup."));
    }

    @Test
    void validationErrorsAreCaughtToAFailStateNotRetried() {
        JsonNode start = STATES.path("StartBackupJob");
        List<String> retried = stream(start.path("Retry"))
                .flatMap(retry -> stream(retry.path("ErrorEquals"))).map(JsonNode::asText).toList();
        List<JsonNode> catchers = stream(start.path("Catch"))
                .filter(c -> stream(c.path("ErrorEquals")).map(JsonNode::asText).toList()
                        .containsAll(VALIDATION_ERRORS))
                .toList();

        assertThat(retried).doesNotContainAnyElementsOf(VALIDATION_ERRORS).doesNotContain("States.ALL");
        assertThat(catchers).hasSize(1);
        JsonNode rejected = STATES.path(catchers.getFirst().path("Next").asText());
        assertThat(rejected.path("Type").asText()).isEqualTo("Fail");
        assertThat(rejected.path("Error").asText()).isEqualTo("BackupRequestRejected");
        assertThat(rejected.path("CausePath").asText())
                .isEqualTo(catchers.getFirst().path("ResultPath").asText() + ".Cause");
    }

    @Test
    void retryableErrorsAndLambdaServiceErrorsAreRetriedWithBackoffAndJitter() {
        List<JsonNode> retriers = stream(STATES.path("StartBackupJob").path("Retry")).toList();
        List<String> retried = retriers.stream()
                .flatMap(retry -> stream(retry.path("ErrorEquals"))).map(JsonNode::asText).toList();

        assertThat(retried).containsAll(RETRYABLE_ERRORS).contains("Lambda.ServiceException",
                "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException",
                "Lambda.ClientExecutionTimeoutException", "Lambda.Unknown");
        assertThat(retriers).allSatisfy(retry -> {
            assertThat(retry.path("BackoffRate").asDouble()).isGreaterThan(1);
            assertThat(retry.path("JitterStrategy").asText()).isEqualTo("FULL");
            assertThat(retry.path("MaxAttempts").asInt()).isPositive();
            assertThat(retry.path("MaxDelaySeconds").asInt()).isPositive();
        });
    }

    @Test
    void invokesTheFunctionAliasWithTheInputAndTheExecutionIdAsDefaultTokenAndReturnsItsResponse() {
        JsonNode token = STATES.path("TokenFromExecution");
        JsonNode start = STATES.path("StartBackupJob");
        JsonNode substitutions = SamTranslator.resource(SamTranslator.deployed(), "BackupJobStateMachine")
                .at("/Properties/DefinitionSubstitutions");

        assertThat(token.path("Type").asText()).isEqualTo("Pass");
        assertThat(token.at("/Parameters/ExecutionToken/IdempotencyToken.$").asText()).isEqualTo("$$.Execution.Id");
        assertThat(token.at("/Parameters/Request.$").asText()).isEqualTo("$");
        assertThat(token.path("Next").asText()).isEqualTo("StartBackupJob");
        assertThat(start.path("Resource").asText()).isEqualTo("arn:aws:states:::lambda:invoke");
        assertThat(start.at("/Parameters/FunctionName").asText()).isEqualTo("${StartBackupJobFunctionAliasArn}");
        // The input's own IdempotencyToken, when it has one, wins over the execution's: the second object's keys do.
        assertThat(start.at("/Parameters/Payload.$").asText())
                .isEqualTo("States.JsonMerge($.ExecutionToken, $.Request, false)");
        assertThat(start.at("/ResultSelector/Response.$").asText()).isEqualTo("$.Payload");
        assertThat(start.path("ResultPath").asText()).isEqualTo("$.Started");
        assertThat(substitutions.has("StartBackupJobFunctionAliasArn")).isTrue();
    }

    @Test
    void pollingEndsWithinAWeekWhateverTheJobDoes() {
        // The loop Wait -> DescribeBackupJob -> Choice has no count of its own: the execution's timeout bounds it.
        assertThat(DEFINITION.path("TimeoutSeconds").asInt()).isBetween(1, 7 * 24 * 3600);
    }

    @Test
    void pollsDescribeBackupJobWithTheStartedJobsId() {
        JsonNode describe = STATES.path("DescribeBackupJob");

        assertThat(describe.path("Resource").asText()).isEqualTo("arn:aws:states:::aws-sdk:backup:describeBackupJob");
        assertThat(describe.at("/Parameters/BackupJobId.$").asText()).isEqualTo("$.Started.Response.BackupJobId");
        assertThat(STATES.path(describe.path("Next").asText()).path("Type").asText()).isEqualTo("Choice");
    }

    @Test
    void everyBackupJobStateLeadsWhereItShould() {
        Map<String, String> outcomes = Map.of(
                "COMPLETED", "Succeed",
                "FAILED", "Fail:BackupJobFailed",
                "ABORTED", "Fail:BackupJobAborted",
                "EXPIRED", "Fail:BackupJobExpired",
                "PARTIAL", "Fail:BackupJobPartial");
        JsonNode choice = STATES.path(STATES.path("DescribeBackupJob").path("Next").asText());

        // Every state the API knows is decided explicitly; only unknown future ones reach the Default.
        for (BackupJobState state : BackupJobState.knownValues()) {
            String target = targetOf(choice, state.toString());
            String expected = outcomes.getOrDefault(state.toString(), "Wait");
            assertThat(outcome(target)).as("where %s leads", state).isEqualTo(expected);
        }
        assertThat(STATES.path(choice.path("Default").asText()).path("Type").asText()).isEqualTo("Fail");
    }

    @Test
    void aPlainRequestGoesToTheFunctionAsItIsAndARequestWaitingForCopiesWithoutTheFlag() {
        JsonNode flag = STATES.path(DEFINITION.path("StartAt").asText());
        JsonNode withFlag = STATES.path(flag.at("/Choices/0/Next").asText());

        assertThat(flag.path("Type").asText()).isEqualTo("Choice");
        assertThat(flag.path("Default").asText()).isEqualTo("TokenFromExecution");
        assertThat(STATES.at("/TokenFromExecution/Parameters/Request.$").asText()).isEqualTo("$");
        assertThat(withFlag.at("/Parameters/Request.$").asText()).isEqualTo("$.Request");
        assertThat(withFlag.at("/Parameters/WaitForCopies.$").asText()).isEqualTo("$.WaitForCopies");
        assertThat(STATES.path(flag.at("/Choices/1/Next").asText()).path("Type").asText()).isEqualTo("Fail");
    }

    @Test
    void copiesAreListedByTheCompletedJobsRecoveryPointAndAFailedOneFailsTheExecution() {
        JsonNode list = STATES.path("ListCopyJobs");
        JsonNode state = STATES.path("CopyJobsState");

        assertThat(list.path("Resource").asText()).isEqualTo("arn:aws:states:::aws-sdk:backup:listCopyJobs");
        assertThat(list.at("/Parameters/BySourceRecoveryPointArn.$").asText()).isEqualTo("$.Job.RecoveryPointArn");
        assertThat(STATES.at("/CopyDestinations/Parameters/Destinations").asText())
                .isEqualTo("${CopyDestinationVaultArns}");
        assertThat(STATES.path(state.at("/Choices/0/Next").asText()).path("Type").asText()).isEqualTo("Wait");
        assertThat(STATES.path(state.path("Default").asText()).path("Error").asText()).isEqualTo("CopyJobFailed");
        assertThat(SamTranslator.resource(SamTranslator.deployed(), "BackupJobStateMachine")
                .at("/Properties/DefinitionSubstitutions/CopyDestinationVaultArns/Fn::Join/1/Ref").asText())
                .isEqualTo("CopyDestinationVaultArns");
    }

    @Test
    void dryRunAnswersEndTheWorkflowWithoutPolling() {
        JsonNode dryRun = STATES.path(STATES.path("StartBackupJob").path("Next").asText());

        assertThat(dryRun.path("Type").asText()).isEqualTo("Choice");
        assertThat(dryRun.at("/Choices/0/StringMatches").asText()).isEqualTo("dry-run-*");
        JsonNode done = STATES.path(dryRun.at("/Choices/0/Next").asText());
        assertThat(done.path("OutputPath").asText()).isEqualTo("$.Started.Response");
        assertThat(STATES.path(done.path("Next").asText()).path("Type").asText()).isEqualTo("Succeed");
    }

    /** Follows Pass states to the state that decides the outcome: "Succeed", "Fail:<Error>" or "Wait". */
    private static String outcome(String name) {
        JsonNode state = STATES.path(name);
        return switch (state.path("Type").asText()) {
            case "Pass" -> outcome(state.path("Next").asText());
            // CopiesWanted?: without WaitForCopies, the job's outcome is the execution's.
            case "Choice" -> outcome(state.path("Default").asText());
            case "Fail" -> "Fail:" + state.path("Error").asText();
            default -> state.path("Type").asText();
        };
    }

    private static String targetOf(JsonNode choice, String jobState) {
        for (JsonNode rule : choice.path("Choices")) {
            List<JsonNode> tests = rule.has("Or") ? stream(rule.path("Or")).toList() : List.of(rule);
            if (tests.stream().anyMatch(test -> test.path("Variable").asText().equals("$.Job.State")
                    && test.path("StringEquals").asText().equals(jobState))) {
                return rule.path("Next").asText();
            }
        }
        return "(Default) " + choice.path("Default").asText();
    }

    private static List<String> errorNames(JsonNode state) {
        return Stream.concat(stream(state.path("Retry")), stream(state.path("Catch")))
                .flatMap(handler -> stream(handler.path("ErrorEquals")))
                .map(JsonNode::asText)
                .toList();
    }
}
