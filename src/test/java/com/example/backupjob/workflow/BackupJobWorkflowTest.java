package com.example.backupjob.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.example.backupjob.config.Configuration;
import com.example.backupjob.error.ServiceUnavailableException;
import com.example.backupjob.error.ThrottlingException;
import com.example.backupjob.tooling.runtime.LocalFunctions;
import com.example.backupjob.tooling.runtime.LocalLambda;
import com.example.backupjob.tooling.runtime.SamFunction;
import com.example.backupjob.tooling.runtime.SamTemplate;
import com.example.backupjob.tooling.support.BackupStandIn;
import com.example.backupjob.tooling.support.DynaliteServer;
import com.example.backupjob.tooling.workflow.LambdaInvokeApi;
import com.example.backupjob.tooling.workflow.LocalStepFunctions;
import com.example.backupjob.tooling.workflow.LocalStepFunctions.Execution;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.backup.BackupClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The deployed workflow, statemachine/start-backup-job.asl.json, executed: its Lambda task invokes the built function
 * under the real runtime interface client (one warm JVM for the class, on dynalite), its DescribeBackupJob task the
 * AWS Backup stand-in, whose jobs go CREATED, RUNNING, then the state a test chooses. Waits take no time.
 */
class BackupJobWorkflowTest {

    private static final String FUNCTION = "StartBackupJobFunction";
    private static final String STATE_MACHINE = "BackupJobStateMachine";
    private static final String ALIAS_ARN = "arn:aws:lambda:%s:%s:function:%s:live"
            .formatted(SamTemplate.REGION, SamTemplate.ACCOUNT_ID, FUNCTION);
    private static final Path DEFINITION = Path.of("statemachine", "start-backup-job.asl.json");
    private static final String RESOURCE_ARN = "arn:aws:rds:eu-west-1:123456789012:db:customers";
    private static final String REQUEST = "{\"ResourceArn\": \"" + RESOURCE_ARN + "\"}";
    private static final Pattern JOB_IN_CAUSE = Pattern.compile("Backup job ([0-9A-F-]{36}) ");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration FUNCTION_TIMEOUT = Duration.ofSeconds(5);
    private static final List<String> DESTINATIONS = List.of(
            "arn:aws:backup:eu-central-1:123456789012:backup-vault:disaster-recovery",
            "arn:aws:backup:eu-west-1:210987654321:backup-vault:isolated-copies");
    private static final Comparator<JsonNode> SAME_VALUE = (a, b) -> a.equals(b)
            || a.isNumber() && b.isNumber() && a.decimalValue().compareTo(b.decimalValue()) == 0 ? 0 : 1;

    private static BackupStandIn backup;
    private static DynaliteServer dynamoDb;
    private static LocalLambda lambda;
    private static LambdaInvokeApi lambdaApi;
    private static LocalStepFunctions workflow;
    private static BackupClient copyFunction;

    private int jobsBefore;
    private int describesBefore;
    private int invocationsBefore;
    private int copiesBefore;

    @BeforeAll
    static void startFunction() {
        backup = BackupStandIn.start(Duration.ZERO);
        dynamoDb = DynaliteServer.start();
        SamFunction function = function(Map.of());
        dynamoDb.createTable(function.environment().get(Configuration.IDEMPOTENCY_TABLE));
        // A short timeout lets the throttling case outlast an invocation quickly; every other case takes far less.
        lambda = start(function.withTimeout(FUNCTION_TIMEOUT), "BackupJobWorkflowTest.log");
        lambdaApi = LambdaInvokeApi.start(ALIAS_ARN, lambda);
        workflow = workflow(lambdaApi, String.join(",", DESTINATIONS), "BackupJobWorkflowTest-node.log");
        // What the copy function does when AWS Backup reports a job COMPLETED, here through the stand-in's own event.
        copyFunction = BackupClient.builder()
                .endpointOverride(backup.endpoint())
                .region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    @AfterAll
    static void stopFunction() {
        for (AutoCloseable closeable : new AutoCloseable[] {copyFunction, workflow, lambdaApi, lambda, dynamoDb,
                backup}) {
            if (closeable != null) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    @BeforeEach
    void jobsComplete() {
        backup.endJobsIn("COMPLETED", null);
        backup.endCopyJobsIn("COMPLETED", null);
        backup.onJobEnd(event -> { });
        jobsBefore = backup.jobsStarted();
        describesBefore = backup.describeCalls();
        invocationsBefore = lambdaApi.payloads().size();
        copiesBefore = backup.copyJobIds().size();
        lambda.newOutput();
    }

    @Test
    void completedJobEndsTheExecutionWithItsDescribeResult() {
        // when
        Execution execution = workflow.execute(REQUEST);

        // then
        JsonNode output = succeeded(execution).output();
        assertThat(output.path("State").asText()).isEqualTo("COMPLETED");
        assertThat(output.path("ResourceArn").asText()).isEqualTo(RESOURCE_ARN);
        assertThat(output.path("RecoveryPointArn").asText()).startsWith("arn:aws:backup:");
        // As the wire carries it; a number compares by its value, as the runner writes 1796163214.0 as 1796163214.
        JsonNode described = json(backup.lastDescribed(output.path("BackupJobId").asText()).orElseThrow().toString());
        assertThat(output.equals(SAME_VALUE, described)).as("%s equals %s", output, described).isTrue();
        assertThat(backup.jobsStarted() - jobsBefore).isEqualTo(1);
        // CREATED, RUNNING, COMPLETED: polled until the job ended.
        assertThat(backup.describeCalls() - describesBefore).isEqualTo(3);
    }

    @ParameterizedTest
    @CsvSource({
            "FAILED, BackupJobFailed, ended FAILED",
            "ABORTED, BackupJobAborted, was stopped before it completed (ABORTED)",
            "EXPIRED, BackupJobExpired, did not start or complete within its",
            "PARTIAL, BackupJobPartial, completed only in part (PARTIAL)",
            "SUSPENDED, BackupJobInUnknownState, is in state SUSPENDED, which this workflow does not know"})
    void jobThatDoesNotCompleteEndsTheExecutionInItsError(String finalState, String error, String causeSays) {
        // given
        backup.endJobsIn(finalState, "Something went wrong");

        // when
        Execution execution = workflow.execute(REQUEST);

        // then
        Execution.Failed failed = failed(execution);
        assertThat(failed.error()).isEqualTo(error);
        assertThat(failed.cause()).contains(causeSays);
        Matcher job = JOB_IN_CAUSE.matcher(failed.cause());
        assertThat(job.find()).as("the cause names the job: %s", failed.cause()).isTrue();
        assertThat(backup.lastDescribed(job.group(1))).hasValueSatisfying(described ->
                assertThat(described.path("State").asText()).isEqualTo(finalState));
    }

    @Test
    void invalidRequestIsRejectedWithEveryProblemAndNotRetried() throws IOException {
        // given
        String request = event("invalid-many-problems.json");

        // when
        Execution execution = workflow.execute(request);

        // then
        Execution.Failed failed = failed(execution);
        assertThat(failed.error()).isEqualTo("BackupRequestRejected");
        JsonNode functionError = JSON.readTree(failed.cause());
        assertThat(functionError.path("errorType").asText()).startsWith("com.example.backupjob.error.");
        assertThat(functionError.path("errorMessage").asText())
                .contains("BackupVaultName", "StartWindowMinutes: must be from 60 to 52560000", "Index");
        assertThat(lambdaApi.payloads().size() - invocationsBefore).isEqualTo(1);
        assertThat(backup.jobsStarted() - jobsBefore).isZero();
        assertThat(backup.describeCalls() - describesBefore).isZero();
    }

    @Test
    void throttlingThatOutlastsTheFunctionsRetriesIsRetriedByTheWorkflowToOneJob() {
        // given: every call is throttled until the first invocation has failed and the workflow retries it
        backup.throttleAbove(0);
        Thread.ofVirtual().start(() -> {
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            try {
                while (lambdaApi.payloads().size() - invocationsBefore < 2 && System.nanoTime() < giveUp) {
                    TimeUnit.MILLISECONDS.sleep(10);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            backup.throttleAbove(Double.POSITIVE_INFINITY);
        });

        // when
        Execution execution = workflow.execute(REQUEST);

        // then
        assertThat(succeeded(execution).output().path("State").asText()).isEqualTo("COMPLETED");
        assertThat(lambdaApi.payloads().size() - invocationsBefore).isEqualTo(2);
        assertThat(lambda.newOutput()).anySatisfy(line -> assertThat(line)
                .containsAnyOf(ThrottlingException.class.getName(), ServiceUnavailableException.class.getName()));
        assertThat(backup.jobsStarted() - jobsBefore).isEqualTo(1);
    }

    @Test
    void lostFunctionResponseIsRetriedWithTheSameTokenToTheSameJob() {
        // given: the job starts, but Step Functions gets a Lambda.ServiceException instead of the function's answer
        lambdaApi.loseNextResponses(1);

        // when
        Execution execution = workflow.execute(REQUEST);

        // then
        assertThat(succeeded(execution).output().path("State").asText()).isEqualTo("COMPLETED");
        List<String> payloads = newPayloads();
        assertThat(payloads).hasSize(2);
        assertThat(payloads.get(1)).isEqualTo(payloads.get(0));
        assertThat(backup.jobsStarted() - jobsBefore).isEqualTo(1);
    }

    @Test
    void requestWithoutTokenGetsTheExecutionIdSoEachExecutionStartsItsOwnJob() {
        // when
        Execution first = workflow.execute(REQUEST);
        Execution second = workflow.execute(REQUEST);

        // then
        assertThat(newPayloads()).extracting(payload -> json(payload).path("IdempotencyToken").asText())
                .containsExactly(first.executionArn(), second.executionArn());
        assertThat(jobId(second)).isNotEqualTo(jobId(first));
        assertThat(backup.jobsStarted() - jobsBefore).isEqualTo(2);
    }

    @Test
    void tokenInTheInputWinsSoExecutionsWithItShareOneJob() throws IOException {
        // given
        String request = event("step-functions-input.json");
        String token = json(request).path("IdempotencyToken").asText();

        // when
        Execution first = workflow.execute(request);
        Execution second = workflow.execute(request);

        // then
        assertThat(newPayloads()).extracting(payload -> json(payload).path("IdempotencyToken").asText())
                .containsExactly(token, token);
        assertThat(jobId(second)).isEqualTo(jobId(first));
        assertThat(backup.jobsStarted() - jobsBefore).isEqualTo(1);
    }

    @Test
    void jobTheDescribeCallDoesNotKnowFailsTheExecutionWithBackupsError() {
        // given
        backup.forgetJobs();

        // when
        Execution execution = workflow.execute(REQUEST);

        // then
        Execution.Failed failed = failed(execution);
        assertThat(failed.error()).isEqualTo("Backup.ResourceNotFoundException");
        assertThat(failed.cause()).contains("Cannot find backup job");
        assertThat(backup.jobsStarted() - jobsBefore).isEqualTo(1);
        assertThat(backup.describeCalls() - describesBefore).isEqualTo(1);
    }

    @Test
    void waitingForCopiesEndsWithTheJobAndOneCompletedCopyPerDestination() {
        // given: each job's completion starts one copy per destination, as the copy function does
        copyEachCompletedJobTo(DESTINATIONS);

        // when
        Execution execution = workflow.execute("{\"WaitForCopies\": true, \"Request\": " + REQUEST + "}");

        // then
        JsonNode output = succeeded(execution).output();
        assertThat(output.path("State").asText()).isEqualTo("COMPLETED");
        assertThat(output.path("CopyJobs")).hasSize(2).allSatisfy(copy -> {
            assertThat(copy.path("State").asText()).isEqualTo("COMPLETED");
            assertThat(copy.path("SourceRecoveryPointArn").asText()).isEqualTo(output.path("RecoveryPointArn").asText());
        });
        assertThat(output.path("CopyJobs")).extracting(copy -> copy.path("DestinationBackupVaultArn").asText())
                .containsExactlyInAnyOrderElementsOf(DESTINATIONS);
        // The function gets the request alone: it rejects unknown keys.
        assertThat(newPayloads()).singleElement().satisfies(payload -> assertThat(json(payload).fieldNames())
                .toIterable().containsExactlyInAnyOrder("ResourceArn", "IdempotencyToken"));
    }

    @Test
    void aCopyThatFailsFailsTheExecutionNamingTheJobAndTheCopyStates() {
        // given
        copyEachCompletedJobTo(DESTINATIONS);
        backup.endCopyJobsIn("FAILED", "Insufficient privileges to perform this action.");

        // when
        Execution execution = workflow.execute("{\"WaitForCopies\": true, \"Request\": " + REQUEST + "}");

        // then
        Execution.Failed failed = failed(execution);
        assertThat(failed.error()).isEqualTo("CopyJobFailed");
        Matcher job = JOB_IN_CAUSE.matcher(failed.cause());
        assertThat(job.find()).as("the cause names the job: %s", failed.cause()).isTrue();
        assertThat(failed.cause()).contains("not every copy", "FAILED",
                backup.lastDescribed(job.group(1)).orElseThrow().path("RecoveryPointArn").asText());
    }

    @Test
    void copiesStartedLateAreWaitedForUntilOnePerDestinationIsListed() {
        // given: the first completion starts one copy only; the second destination's copy comes with a later look
        copyEachCompletedJobTo(DESTINATIONS.subList(0, 1));
        Thread.ofVirtual().start(() -> {
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            try {
                while (backup.copyJobIds().size() <= copiesBefore && System.nanoTime() < giveUp) {
                    TimeUnit.MILLISECONDS.sleep(5);
                }
                JsonNode source = backup.copyJobRequests().getLast();
                startCopy(source.path("RecoveryPointArn").asText(), DESTINATIONS.get(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        // when
        Execution execution = workflow.execute("{\"WaitForCopies\": true, \"Request\": " + REQUEST + "}");

        // then
        assertThat(succeeded(execution).output().path("CopyJobs")).hasSize(2);
    }

    @Test
    void waitingForCopiesOfAStackWithoutDestinationsFailsOnceTheJobCompleted() {
        try (LocalStepFunctions noCopies = workflow(lambdaApi, "", "BackupJobWorkflowTest-no-copies-node.log")) {
            // when
            Execution execution = noCopies.execute("{\"WaitForCopies\": true, \"Request\": " + REQUEST + "}");

            // then
            Execution.Failed failed = failed(execution);
            assertThat(failed.error()).isEqualTo("NoCopyDestinations");
            assertThat(failed.cause()).contains("CopyDestinationVaultArns is empty");
            assertThat(backup.jobsStarted() - jobsBefore).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"WaitForCopies\": \"yes\", \"Request\": {}}",
            "{\"WaitForCopies\": true, \"ResourceArn\": \"arn:aws:rds:eu-west-1:123456789012:db:customers\"}"})
    void aWaitForCopiesFlagThatIsNotABooleanBesideARequestIsRejectedBeforeAnyCall(String input) {
        // when
        Execution execution = workflow.execute(input);

        // then
        Execution.Failed failed = failed(execution);
        assertThat(failed.error()).isEqualTo("WorkflowInputRejected");
        assertThat(newPayloads()).isEmpty();
        assertThat(backup.jobsStarted() - jobsBefore).isZero();
    }

    @Test
    void dryRunEndsTheExecutionWithoutAJobToWaitFor() {
        // given
        SamFunction function = function(Map.of(Configuration.DRY_RUN, "true"));

        try (LocalLambda dryRun = start(function, "BackupJobWorkflowTest-dry-run.log");
                LambdaInvokeApi dryRunApi = LambdaInvokeApi.start(ALIAS_ARN, dryRun);
                LocalStepFunctions dryRunWorkflow = workflow(dryRunApi, "",
                        "BackupJobWorkflowTest-dry-run-node.log")) {
            // when
            Execution execution = dryRunWorkflow.execute(REQUEST);

            // then
            assertThat(succeeded(execution).output().path("BackupJobId").asText()).startsWith("dry-run-");
            assertThat(dryRunApi.payloads()).hasSize(1);
            assertThat(backup.jobsStarted() - jobsBefore).isZero();
            assertThat(backup.describeCalls() - describesBefore).isZero();
        }
    }

    /** The workflow as deployed with these CopyDestinationVaultArns (comma-separated, as the template joins them). */
    private static LocalStepFunctions workflow(LambdaInvokeApi api, String copyDestinations, String logFile) {
        return LocalStepFunctions.start(STATE_MACHINE, DEFINITION, Map.of("StartBackupJobFunctionAliasArn", ALIAS_ARN,
                        "CopyDestinationVaultArns", copyDestinations),
                api.endpoint(), backup.endpoint(), Path.of("target", "lambda", logFile));
    }

    /** When a job ends COMPLETED, one StartCopyJob per destination, as the copy function sends it. */
    private static void copyEachCompletedJobTo(List<String> destinations) {
        backup.onJobEnd(event -> {
            if (event.at("/detail/state").asText().equals("COMPLETED")) {
                destinations.forEach(destination -> startCopy(event.at("/resources/0").asText(), destination));
            }
        });
    }

    private static void startCopy(String recoveryPointArn, String destination) {
        copyFunction.startCopyJob(copy -> copy.recoveryPointArn(recoveryPointArn)
                .sourceBackupVaultName("Default")
                .destinationBackupVaultArn(destination)
                .iamRoleArn("arn:aws:iam::123456789012:role/service-role/AWSBackupDefaultServiceRole")
                .idempotencyToken(recoveryPointArn + destination));
    }

    private static SamFunction function(Map<String, String> environmentOverrides) {
        return LocalFunctions.function(FUNCTION, environmentOverrides);
    }

    private static LocalLambda start(SamFunction function, String logFile) {
        return LocalFunctions.start(function, backup, dynamoDb, logFile);
    }

    private List<String> newPayloads() {
        List<String> payloads = lambdaApi.payloads();
        return payloads.subList(invocationsBefore, payloads.size());
    }

    private static Execution.Succeeded succeeded(Execution execution) {
        assertThat(execution)
                .as(() -> "the execution failed: " + execution + "\n" + String.join("\n", lambda.newOutput()))
                .isInstanceOf(Execution.Succeeded.class);
        return (Execution.Succeeded) execution;
    }

    private static Execution.Failed failed(Execution execution) {
        assertThat(execution).as("the execution succeeded: %s", execution).isInstanceOf(Execution.Failed.class);
        return (Execution.Failed) execution;
    }

    private static String jobId(Execution execution) {
        return succeeded(execution).output().path("BackupJobId").asText();
    }

    private static String event(String fileName) throws IOException {
        return Files.readString(Path.of("events", fileName));
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
