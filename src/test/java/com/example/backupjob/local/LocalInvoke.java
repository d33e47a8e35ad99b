package com.example.backupjob.local;

import com.example.backupjob.config.AwsClients;
import com.example.backupjob.config.Configuration;
import com.example.backupjob.handler.StartBackupJobHandler;
import com.example.backupjob.support.BackupStandIn;
import com.example.backupjob.support.DynaliteServer;
import com.example.backupjob.support.LambdaTestContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the real handler on sample events and prints each response (or Lambda error) after the function's logs.
 *
 * <p>With {@code --stand-ins} it needs no AWS account: AWS Backup is a local stand-in that checks requests like the
 * service, and the idempotency store is dynalite. Without it, it calls the AWS account of the default credentials.
 * The function's environment is {@code env.json} (the format of {@code sam local invoke --env-vars}), overridden by
 * the real environment.
 */
public final class LocalInvoke {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FUNCTION = "StartBackupJobFunction";

    private LocalInvoke() {
    }

    public static void main(String[] args) throws IOException {
        boolean standIns = List.of(args).contains("--stand-ins");
        List<Path> events = List.of(args).stream().filter(arg -> !arg.startsWith("--")).map(Path::of).toList();
        if (events.isEmpty()) {
            System.err.println("usage: LocalInvoke [--stand-ins] events/<file>.json ...");
            System.exit(2);
        }
        Map<String, String> environment = environment();
        List<AutoCloseable> running = new ArrayList<>();
        try {
            if (standIns) {
                startStandIns(environment, running);
            }
            StartBackupJobHandler handler = new StartBackupJobHandler(
                    Configuration.fromEnvironment(environment, JSON), new AwsClients());
            for (Path event : events) {
                System.out.println("=== " + event);
                System.out.println(invoke(handler, event));
            }
        } finally {
            for (AutoCloseable closeable : running) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    System.err.println("Could not stop a stand-in: " + e);
                }
            }
        }
    }

    private static Map<String, String> environment() throws IOException {
        Map<String, String> environment = new HashMap<>();
        JsonNode variables = JSON.readTree(Path.of("env.json").toFile()).path(FUNCTION);
        variables.properties().forEach(variable -> environment.put(variable.getKey(), variable.getValue().asText()));
        environment.putAll(System.getenv());
        return environment;
    }

    private static void startStandIns(Map<String, String> environment, List<AutoCloseable> running) {
        BackupStandIn backup = BackupStandIn.start(Duration.ZERO);
        running.add(backup);
        DynaliteServer dynamoDb = DynaliteServer.start();
        running.add(dynamoDb);
        dynamoDb.createTable(environment.get(Configuration.IDEMPOTENCY_TABLE));
        System.setProperty("aws.endpointUrlBackup", backup.endpoint().toString());
        System.setProperty("aws.endpointUrlDynamoDb", dynamoDb.endpoint().toString());
        System.setProperty("aws.region", environment.getOrDefault("AWS_REGION", "eu-west-1"));
        System.setProperty("aws.accessKeyId", "local");
        System.setProperty("aws.secretAccessKey", "local");
    }

    private static String invoke(StartBackupJobHandler handler, Path event) throws IOException {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try (InputStream input = Files.newInputStream(event)) {
            handler.handleRequest(input, output, LambdaTestContext.create());
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(JSON.readTree(output.toByteArray()));
        } catch (RuntimeException e) {
            // The shape of a Lambda function error, as sam local invoke prints it.
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(JSON.createObjectNode()
                    .put("errorType", e.getClass().getName())
                    .put("errorMessage", e.getMessage()));
        }
    }
}
