package com.example.backupjob.tooling.runtime;

import com.example.backupjob.config.Configuration;
import com.example.backupjob.selection.SelectionConfiguration;
import com.example.backupjob.tooling.support.BackupStandIn;
import com.example.backupjob.tooling.support.DynaliteServer;
import com.example.backupjob.tooling.support.ElasticMqServer;
import com.example.backupjob.tooling.support.TaggingStandIn;
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
 *
 * <p>{@code --function SelectBackupResourcesFunction} runs the tag selection function instead; its stand-ins are the
 * Tagging API (holding {@link #SAMPLE_RESOURCES}, tagged for the selection samples in events/), ElasticMQ as the
 * request queue (whose messages are printed after each event) and the continuation queue, dynalite for the runs'
 * records and the AWS Backup stand-in for the Region's opt-in settings.
 */
public final class LocalLambdaInvoke {

    private static final String FUNCTION = "StartBackupJobFunction";
    private static final String SELECTION_FUNCTION = "SelectBackupResourcesFunction";
    private static final String STAND_INS = "--stand-ins";
    private static final String FUNCTION_OPTION = "--function";
    private static final Map<String, String> SAMPLE_TAGS = Map.of("backup", "nightly", "env", "prod", "team", "payments");
    private static final List<TaggingStandIn.Resource> SAMPLE_RESOURCES = Stream.of(
                    "arn:aws:dynamodb:eu-west-1:123456789012:table/orders",
                    "arn:aws:dynamodb:eu-west-1:123456789012:table/scratch",
                    "arn:aws:rds:eu-west-1:123456789012:db:customers",
                    "arn:aws:lambda:eu-west-1:123456789012:function:resize")
            .map(arn -> new TaggingStandIn.Resource(arn, SAMPLE_TAGS))
            .toList();
    private static final ObjectMapper JSON = new ObjectMapper();

    private LocalLambdaInvoke() {
    }

    public static void main(String[] args) throws Exception {
        List<String> arguments = new ArrayList<>(List.of(args));
        boolean standIns = arguments.remove(STAND_INS);
        String functionId = FUNCTION;
        int option = arguments.indexOf(FUNCTION_OPTION);
        if (option >= 0 && option + 1 < arguments.size()) {
            functionId = arguments.remove(option + 1);
            arguments.remove(option);
        }
        List<Path> events = arguments.stream().map(Path::of).toList();
        if (events.isEmpty()) {
            System.err.println("usage: LocalLambdaInvoke [--stand-ins] [--function " + SELECTION_FUNCTION
                    + "] events/<file>.json ...");
            System.exit(2);
        }
        Map<String, String> variables = new HashMap<>(SamTemplate.environmentFile(Path.of("env.json"), functionId));
        List<AutoCloseable> running = new ArrayList<>();
        try {
            boolean selection = functionId.equals(SELECTION_FUNCTION);
            Map<String, String> awsEnvironment = new HashMap<>();
            Runnable afterEach = standIns && selection ? startSelectionStandIns(variables, awsEnvironment, running)
                    : () -> { };
            SamFunction function = SamTemplate.read(Path.of("template.yaml")).function(functionId, Map.of(), variables);
            if (!standIns) {
                awsEnvironment.putAll(realAws());
            } else if (!selection) {
                awsEnvironment.putAll(startStandIns(function, running));
            }
            try (LocalLambda lambda = LocalLambda.start(function, FunctionClasspath.fromBuild(Path.of("")),
                    awsEnvironment, Path.of("target", "lambda", functionId + ".log"))) {
                invokeEach(lambda, events, afterEach);
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

    /**
     * Starts the tag selection function's stand-ins, points its variables and endpoints at them, and answers what to
     * do after each event: print the requests it queued.
     */
    private static Runnable startSelectionStandIns(Map<String, String> variables, Map<String, String> awsEnvironment,
            List<AutoCloseable> running) {
        TaggingStandIn tagging = TaggingStandIn.start();
        running.add(tagging);
        tagging.hold(SAMPLE_RESOURCES);
        ElasticMqServer sqs = ElasticMqServer.start();
        running.add(sqs);
        String queueUrl = sqs.createRequestQueues("requests", Duration.ofMinutes(5), 3).url();
        variables.put(SelectionConfiguration.REQUEST_QUEUE_URL, queueUrl);
        variables.put(SelectionConfiguration.CONTINUATION_QUEUE_URL,
                sqs.createRequestQueues("continuations", Duration.ofMinutes(12), 3).url());
        DynaliteServer dynamoDb = DynaliteServer.start();
        running.add(dynamoDb);
        dynamoDb.createTable(variables.get(SelectionConfiguration.IDEMPOTENCY_TABLE));
        BackupStandIn backup = BackupStandIn.start(Duration.ZERO);
        running.add(backup);
        awsEnvironment.put("AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API", tagging.endpoint().toString());
        awsEnvironment.put("AWS_ENDPOINT_URL_SQS", sqs.endpoint().toString());
        awsEnvironment.put("AWS_ENDPOINT_URL_DYNAMODB", dynamoDb.endpoint().toString());
        awsEnvironment.put("AWS_ENDPOINT_URL_BACKUP", backup.endpoint().toString());
        return () -> printQueued(sqs, queueUrl);
    }

    /** The requests the selection queued, as the StartBackupJob function would receive them. */
    private static void printQueued(ElasticMqServer sqs, String queueUrl) {
        List<String> bodies = new ArrayList<>();
        List<String> received;
        do {
            received = sqs.client().receiveMessage(receive -> receive.queueUrl(queueUrl).maxNumberOfMessages(10))
                    .messages().stream().map(message -> message.body()).toList();
            bodies.addAll(received);
        } while (!received.isEmpty());
        System.out.println("--- " + bodies.size() + " requests queued");
        bodies.forEach(System.out::println);
    }

    private static void invokeEach(LocalLambda lambda, List<Path> events, Runnable afterEach) throws IOException {
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
            afterEach.run();
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
