package com.example.backupjob.tooling.workflow;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.example.backupjob.tooling.runtime.SamTemplate;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs executions of a state machine definition on this machine with aws-local-stepfunctions (installed by the build
 * with npm ci), in one node process: its lambda:invoke tasks call a Lambda Invoke API, its DescribeBackupJob tasks an
 * AWS Backup endpoint, and its waits and retry intervals take no time.
 */
public final class LocalStepFunctions implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration EXECUTION_TIMEOUT = Duration.ofSeconds(60);

    private final String stateMachineName;
    private final Process process;
    private final Writer executions;
    private final BufferedReader results;
    private final Path log;

    /** What one execution ended with, and its ARN ({@code $$.Execution.Id}). */
    public sealed interface Execution {

        String executionArn();

        record Succeeded(String executionArn, JsonNode output) implements Execution {
        }

        record Failed(String executionArn, String error, String cause) implements Execution {
        }
    }

    private LocalStepFunctions(String stateMachineName, Process process, Path log) {
        this.stateMachineName = stateMachineName;
        this.process = process;
        this.executions = process.outputWriter(UTF_8);
        this.results = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8));
        this.log = log;
    }

    /**
     * Starts node with the definition of the state machine {@code stateMachineName}.
     *
     * @param substitutions the values of the definition's {@code ${...}} placeholders, as DefinitionSubstitutions
     *     gives them on deploy
     * @param log where node's stderr goes
     */
    public static LocalStepFunctions start(String stateMachineName, Path definition, Map<String, String> substitutions,
            URI lambdaEndpoint, URI backupEndpoint, Path log) {
        Path runner = Path.of(System.getProperty("stepfunctions.dir", "src/tooling/stepfunctions"), "run-workflow.mjs");
        if (!Files.exists(runner.resolveSibling("node_modules/aws-local-stepfunctions"))) {
            throw new IllegalStateException("aws-local-stepfunctions is missing beside " + runner
                    + ": run 'mvn test-compile', which installs it");
        }
        ObjectNode setup = JSON.createObjectNode()
                .put("definition", definition.toAbsolutePath().toString())
                .put("lambdaEndpoint", lambdaEndpoint.toString())
                .put("backupEndpoint", backupEndpoint.toString());
        setup.set("substitutions", JSON.valueToTree(substitutions));
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            Process process = new ProcessBuilder("node", runner.toString(), setup.toString())
                    .redirectError(log.toFile())
                    .start();
            return new LocalStepFunctions(stateMachineName, process, log);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start node", e);
        }
    }

    /** Starts an execution with a new name and the given input, and waits for its end. */
    public Execution execute(String inputJson) {
        String name = UUID.randomUUID().toString();
        String executionArn = "arn:aws:states:%s:%s:execution:%s:%s"
                .formatted(SamTemplate.REGION, SamTemplate.ACCOUNT_ID, stateMachineName, name);
        ObjectNode request = JSON.createObjectNode();
        request.putObject("execution").put("Id", executionArn).put("Name", name);
        request.set("input", json(inputJson));

        JsonNode result = json(exchange(request.toString()));
        return switch (result.path("status").asText()) {
            case "SUCCEEDED" -> new Execution.Succeeded(executionArn, result.path("output"));
            case "FAILED" -> new Execution.Failed(executionArn, result.path("error").asText(),
                    result.path("cause").asText());
            default -> throw new IllegalStateException("Not an execution result: " + result);
        };
    }

    @Override
    public void close() {
        try {
            executions.close();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private String exchange(String request) {
        try {
            executions.write(request + "\n");
            executions.flush();
            String line = CompletableFuture.supplyAsync(() -> {
                try {
                    return results.readLine();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).get(EXECUTION_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (line == null) {
                throw new IllegalStateException("node ended without a result:\n" + Files.readString(log));
            }
            return line;
        } catch (IOException e) {
            throw new UncheckedIOException("node does not take executions:\n" + log, e);
        } catch (TimeoutException e) {
            process.destroyForcibly();
            throw new IllegalStateException("The execution did not end within " + EXECUTION_TIMEOUT, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException("Not JSON: " + text, e);
        }
    }
}
