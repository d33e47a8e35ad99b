package com.example.backupjob.runtime;

import com.example.backupjob.config.Configuration;
import com.example.backupjob.support.BackupStandIn;
import com.example.backupjob.support.DynaliteServer;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

/**
 * The Docker-free counterpart of {@code sam local invoke}: runs the function of template.yaml under the real Lambda
 * runtime interface client in its own JVM, with the variables of env.json, and prints for each event file the
 * function's log lines, a REPORT line and the response or error JSON. All events go to the same warm JVM.
 *
 * <p>With {@code --stand-ins} it needs no AWS account: AWS Backup is a local stand-in that checks requests like the
 * service, and the idempotency store is dynalite. Without it, the function calls the AWS account of the default
 * credentials and region, passed to it as environment variables the way sam does.
 */
public final class LocalLambdaInvoke {

    private static final String FUNCTION = "StartBackupJobFunction";
    private static final String STAND_INS = "--stand-ins";
    private static final ObjectMapper JSON = new ObjectMapper();

    private LocalLambdaInvoke() {
    }

    public static void main(String[] args) throws Exception {
        boolean standIns = List.of(args).contains(STAND_INS);
        List<Path> events = Stream.of(args).filter(arg -> !arg.equals(STAND_INS)).map(Path::of).toList();
        if (events.isEmpty()) {
            System.err.println("usage: LocalLambdaInvoke [--stand-ins] events/<file>.json ...");
            System.exit(2);
        }
        SamFunction function = SamTemplate.read(Path.of("template.yaml"))
                .function(FUNCTION, Map.of(), SamTemplate.environmentFile(Path.of("env.json"), FUNCTION));
        List<AutoCloseable> running = new ArrayList<>();
        try {
            Map<String, String> awsEnvironment = standIns ? startStandIns(function, running) : realAws();
            try (LocalLambda lambda = LocalLambda.start(function, FunctionClasspath.fromBuild(Path.of("")),
                    awsEnvironment, Path.of("target", "lambda", FUNCTION + ".log"))) {
                invokeEach(lambda, events);
            }
        } finally {
            for (AutoCloseable standIn : running) {
                standIn.close();
            }
        }
    }

    private static Map<String, String> startStandIns(SamFunction function, List<AutoCloseable> running) {
        BackupStandIn backup = BackupStandIn.start(Duration.ZERO);
        running.add(backup);
        DynaliteServer dynamoDb = DynaliteServer.start();
        running.add(dynamoDb);
        dynamoDb.createTable(function.environment().get(Configuration.IDEMPOTENCY_TABLE));
        return Map.of(
                "AWS_ENDPOINT_URL_BACKUP", backup.endpoint().toString(),
                "AWS_ENDPOINT_URL_DYNAMODB", dynamoDb.endpoint().toString());
    }

    private static Map<String, String> realAws() {
        AwsCredentials credentials = DefaultCredentialsProvider.builder().build().resolveCredentials();
        String region = DefaultAwsRegionProviderChain.builder().build().getRegion().id();
        Map<String, String> environment = new HashMap<>(Map.of(
                "AWS_REGION", region,
                "AWS_DEFAULT_REGION", region,
                "AWS_ACCESS_KEY_ID", credentials.accessKeyId(),
                "AWS_SECRET_ACCESS_KEY", credentials.secretAccessKey()));
        if (credentials instanceof AwsSessionCredentials session) {
            environment.put("AWS_SESSION_TOKEN", session.sessionToken());
        }
        return environment;
    }

    private static void invokeEach(LocalLambda lambda, List<Path> events) throws IOException {
        boolean first = true;
        for (Path event : events) {
            System.out.println("=== " + event);
            long start = System.nanoTime();
            InvocationResult result = lambda.invoke(Files.readString(event));
            long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            lambda.newOutput().forEach(System.out::println);
            String init = first ? lambda.initDuration().map(d -> "\tInit Duration: " + d.toMillis() + " ms")
                    .orElse("") : "";
            System.out.println("REPORT RequestId: " + result.requestId() + "\tRound trip: " + millis + " ms" + init);
            System.out.println(pretty(result));
            first = false;
        }
    }

    private static String pretty(InvocationResult result) throws IOException {
        String body = switch (result) {
            case InvocationResult.Response response -> response.body();
            case InvocationResult.Error error -> error.body();
        };
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(JSON.readTree(body));
    }
}
