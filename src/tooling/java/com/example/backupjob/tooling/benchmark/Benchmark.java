package com.example.backupjob.tooling.benchmark;

import com.example.backupjob.config.Configuration;
import com.example.backupjob.tooling.runtime.FunctionClasspath;
import com.example.backupjob.tooling.runtime.InvocationResult;
import com.example.backupjob.tooling.runtime.LocalLambda;
import com.example.backupjob.tooling.runtime.SamFunction;
import com.example.backupjob.tooling.runtime.SamTemplate;
import com.example.backupjob.tooling.support.BackupStandIn;
import com.example.backupjob.tooling.support.DynaliteServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The performance benchmark (issues #6 and #11), on this machine and without an AWS account: the function of
 * template.yaml under the real Lambda runtime interface client and a local Runtime API, against a local AWS Backup
 * endpoint and dynalite, next to baselines built in the same run: the lean raw SDK handler of
 * {@code src/tooling/lean-sdk} (its own project: aws-lambda-java-core, backup and url-connection-client only, no SLF4J
 * binding), the same kind of handler on the function's classpath, a handler that returns a constant, and for warm
 * latency one that also makes the idempotency store's two writes. Every cold start is measured on two CPUs and pinned
 * to one ({@code taskset -c 1}), all variants interleaved. It prints min / median / max of each measure, the ratios the
 * issues set targets for, and each target met or missed.
 *
 * <p>Run with {@code mvn -q test-compile exec:java@benchmark}. System properties: {@code benchmark.cold} (cold starts
 * per variant and CPU setting, default 7), {@code benchmark.warm} (warm invocations per handler, default 300),
 * {@code benchmark.batch} (batches of 10 and single records, default 10 each), {@code benchmark.only}
 * (comma-separated sections out of size, probe, cold, classes, cds, warm, priming, batch; default all but cds),
 * {@code benchmark.javaOptions} (flags added to the template's JAVA_TOOL_OPTIONS for every variant),
 * {@code benchmark.compare} (comma-separated {@code label=directory} of other builds of this project, e.g. a worktree
 * of the previous commit after {@code mvn test-compile}, whose function is started interleaved with this one in the
 * cold and classes sections), {@code benchmark.cpu} (the CPU the pinned runs get, default 1).
 */
public final class Benchmark {

    private static final String FUNCTION = "StartBackupJobFunction";
    private static final Duration BATCH_BACKUP_LATENCY = Duration.ofMillis(300);
    private static final String RAISED_QUOTA = "-raised-quota";
    private static final String RAISED_QUOTA_RATE = "50";
    /** Between two JVM starts: the runtime client's native library and the OS page cache settle. */
    private static final Duration STAGGER = Duration.ofMillis(400);
    private static final int WARM_UP = 50;
    private static final String SDK_CALLS_BASELINE = "raw SDK handler with the store's two writes";
    private static final String LEAN = "lean raw SDK handler";
    private static final String RAW_ON_OURS = "raw SDK handler on our classpath";
    private static final String LEAN_PROJECT = "src/tooling/lean-sdk/pom.xml";
    private static final String LEAN_HANDLER = "example.LeanSdkHandler::handleRequest";
    private static final double MIB = 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path OUT = Path.of("target", "benchmark").toAbsolutePath();

    private final int coldRuns = Integer.getInteger("benchmark.cold", 7);
    private final int warmRuns = Integer.getInteger("benchmark.warm", 300);
    private final int batchRuns = Integer.getInteger("benchmark.batch", 10);
    private final Set<String> only = Set.of(System.getProperty("benchmark.only",
            "size,probe,cold,classes,warm,priming,batch").split(","));
    private final String pinnedCpu = System.getProperty("benchmark.cpu", "1");
    /** The CPU settings every cold start is measured with: as the machine has them, and pinned to one CPU. */
    private final Map<String, List<String>> cpuSettings = new LinkedHashMap<>();

    private final SamFunction function;
    private final FunctionClasspath functionClasspath;
    private final FunctionClasspath withTestClasses;
    private final Map<String, FunctionClasspath> compared = new LinkedHashMap<>();
    private FunctionClasspath leanClasspath;
    private final Map<String, Double> results = new LinkedHashMap<>();
    private final List<String> table = new ArrayList<>();
    private BackupStandIn backup;
    private BackupStandIn slowBackup;
    private DynaliteServer dynamoDb;

    private Benchmark() {
        SamFunction declared = SamTemplate.read(Path.of("template.yaml"))
                .function(FUNCTION, Map.of(), SamTemplate.environmentFile(Path.of("env.json"), FUNCTION));
        // benchmark.javaOptions adds JVM flags to every variant, e.g. to compare flags or log class loading.
        Map<String, String> environment = new HashMap<>(declared.environment());
        environment.merge("JAVA_TOOL_OPTIONS", System.getProperty("benchmark.javaOptions", ""),
                (flags, more) -> (flags + " " + more).strip());
        // The warm invocations follow one another far faster than AWS Backup's quota: the highest rate, so that they
        // measure the code, not the wait for a turn (the batch section measures the default quota too).
        environment.put(Configuration.START_BACKUP_JOB_RATE, "1000");
        function = new SamFunction(declared.logicalId(), declared.handler(), declared.runtime(), declared.timeout(),
                declared.memorySize(), environment);
        functionClasspath = FunctionClasspath.fromBuild(Path.of(""));
        List<Path> baseline = new ArrayList<>(functionClasspath.function());
        baseline.add(Path.of("target", "test-classes").toAbsolutePath());
        withTestClasses = new FunctionClasspath(baseline, functionClasspath.runtimeClient());
        for (String entry : System.getProperty("benchmark.compare", "").split(",")) {
            if (!entry.isBlank()) {
                String[] labelAndDirectory = entry.split("=", 2);
                compared.put(labelAndDirectory[0].strip(), FunctionClasspath.fromBuild(Path.of(labelAndDirectory[1])));
            }
        }
        cpuSettings.put(Runtime.getRuntime().availableProcessors() + " CPUs", List.of());
        if (onPath("taskset")) {
            cpuSettings.put("1 CPU", List.of("taskset", "-c", pinnedCpu));
        } else {
            System.out.println("No taskset on the PATH (util-linux): the pinned cold starts are left out");
        }
    }

    private static boolean onPath(String command) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(directory -> Files.isExecutable(Path.of(directory, command)));
    }

    public static void main(String[] args) throws Exception {
        Files.createDirectories(OUT);
        Benchmark benchmark = new Benchmark();
        try {
            benchmark.run();
        } finally {
            benchmark.stopStandIns();
        }
        System.exit(0);
    }

    private void run() throws Exception {
        System.out.printf("Benchmark: JDK %s, %d cores, JAVA_TOOL_OPTIONS=%s%n", Runtime.version(),
                Runtime.getRuntime().availableProcessors(), function.environment().get("JAVA_TOOL_OPTIONS"));
        leanClasspath = buildLeanBaseline();
        backup = BackupStandIn.start(Duration.ZERO);
        slowBackup = BackupStandIn.start(BATCH_BACKUP_LATENCY);
        dynamoDb = DynaliteServer.start();
        dynamoDb.createTable(function.environment().get(Configuration.IDEMPOTENCY_TABLE));
        if (only.contains("size")) {
            packageSize();
        }
        if (only.contains("probe")) {
            standInRoundTrips();
        }
        if (only.contains("cold")) {
            coldStarts(false);
        }
        if (only.contains("classes")) {
            classLoading();
        }
        if (only.contains("cds")) {
            coldStarts(true);
        }
        if (only.contains("warm")) {
            warmLatency();
        }
        if (only.contains("priming")) {
            primedFirstInvocation();
        }
        if (only.contains("batch")) {
            batchOfTen();
        }
        report();
    }

    // ---- deployment package ------------------------------------------------------------------------------------

    /**
     * The package as sam build lays it out for java-maven: target/classes at the root, the runtime-scope jars under
     * lib/. Its size is the files' sizes summed (what the unzipped limit counts); the zip is what is uploaded.
     */
    private void packageSize() throws IOException {
        Path zip = OUT.resolve("package.zip");
        long unzipped = 0;
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            Path classes = functionClasspath.taskRoot();
            try (Stream<Path> files = Files.walk(classes)) {
                for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                    add(out, classes.relativize(file).toString(), file);
                    unzipped += Files.size(file);
                }
            }
            for (Path jar : functionClasspath.function().subList(1, functionClasspath.function().size())) {
                add(out, "lib/" + jar.getFileName(), jar);
                unzipped += Files.size(jar);
            }
        }
        results.put("packageMiB", unzipped / MIB);
        table.add(row("Deployment package, file sizes summed (target/classes + %d runtime jars)"
                .formatted(functionClasspath.function().size() - 1), "%.2f MiB".formatted(unzipped / MIB)));
        table.add(row("Deployment package, zipped", "%.2f MiB".formatted(Files.size(zip) / MIB)));
    }

    private static void add(ZipOutputStream out, String name, Path file) throws IOException {
        out.putNextEntry(new ZipEntry(name));
        Files.copy(file, out);
        out.closeEntry();
    }

    // ---- the stand-ins' own latency ----------------------------------------------------------------------------

    /** The round trips the function cannot avoid, measured from this JVM: one StartBackupJob, one store write pair. */
    private void standInRoundTrips() throws IOException {
        String body = JSON.createObjectNode().put("BackupVaultName", "Default")
                .put("ResourceArn", "arn:aws:dynamodb:eu-west-1:123456789012:table/orders")
                .put("IamRoleArn", "arn:aws:iam::123456789012:role/backup").toString();
        URI backupJobs = backup.endpoint().resolve("/backup-jobs");
        Samples backupCall = measure(WARM_UP, warmRuns, () -> put(backupJobs, body));
        record("Backup stand-in round trip (HttpURLConnection PUT, latency 0)", "backupRtt", backupCall);

        String table = function.environment().get(Configuration.IDEMPOTENCY_TABLE);
        try (DynamoDbClient store = DynamoDbClient.builder()
                .endpointOverride(dynamoDb.endpoint())
                .region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create())
                .build()) {
            // What Powertools' store does for a new request: a conditional PutItem, then an UpdateItem.
            Samples storeCalls = measure(WARM_UP, warmRuns, () -> {
                String id = "probe#" + UUID.randomUUID();
                store.putItem(put -> put.tableName(table)
                        .item(Map.of("id", AttributeValue.fromS(id), "status", AttributeValue.fromS("INPROGRESS"),
                                "expiration", AttributeValue.fromN("9999999999")))
                        .conditionExpression("attribute_not_exists(id) OR expiration < :now")
                        .expressionAttributeValues(Map.of(":now", AttributeValue.fromN("1"))));
                store.updateItem(update -> update.tableName(table).key(Map.of("id", AttributeValue.fromS(id)))
                        .updateExpression("SET #s = :s, #d = :d")
                        .expressionAttributeNames(Map.of("#s", "status", "#d", "data"))
                        .expressionAttributeValues(Map.of(":s", AttributeValue.fromS("COMPLETED"),
                                ":d", AttributeValue.fromS("{\"BackupJobId\":\"x\"}"))));
            });
            record("Idempotency store round trips (PutItem + UpdateItem on dynalite, SDK)", "storeRtt", storeCalls);
        }
    }

    private static void put(URI uri, String body) {
        try {
            HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
            connection.setRequestMethod("PUT");
            connection.setDoOutput(true);
            connection.setRequestProperty("Content-Type", "application/json");
            try (OutputStream out = connection.getOutputStream()) {
                out.write(body.getBytes(StandardCharsets.UTF_8));
            }
            if (connection.getResponseCode() != 200) {
                throw new IllegalStateException("The Backup stand-in answered " + connection.getResponseCode());
            }
            try (InputStream in = connection.getInputStream()) {
                in.readAllBytes();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- cold starts -------------------------------------------------------------------------------------------

    /**
     * Fresh JVM to first response, the variants and CPU settings interleaved so that drift of the machine hits all
     * alike; the function's JVM alone is pinned (the stand-ins play remote services).
     */
    private void coldStarts(boolean archives) throws Exception {
        Map<String, Variant> variants = new LinkedHashMap<>();
        if (archives) {
            variants.put("function + AppCDS archive", archived(functionVariant(), "function-appcds",
                    "-XX:ArchiveClassesAtExit=%s", "-XX:SharedArchiveFile=%s", ".jsa"));
            variants.put("raw SDK handler + AppCDS archive", archived(baseline("RawSdkHandler", RawSdkHandler.class),
                    "raw-appcds", "-XX:ArchiveClassesAtExit=%s", "-XX:SharedArchiveFile=%s", ".jsa"));
            Variant aot = aotCache(functionVariant());
            if (aot != null) {
                variants.put("function + JDK 25 AOT cache", aot);
            }
        } else {
            variants.putAll(coldVariants());
        }
        Map<String, Samples> cold = new LinkedHashMap<>();
        Map<String, Samples> init = new LinkedHashMap<>();
        Map<String, Samples> cpu = new LinkedHashMap<>();
        cpuSettings.keySet().forEach(cpus -> variants.keySet().forEach(name -> {
            cold.put(cpus + ": " + name, new Samples());
            init.put(cpus + ": " + name, new Samples());
            cpu.put(cpus + ": " + name, new Samples());
        }));
        for (int run = 0; run < coldRuns; run++) {
            for (var cpus : cpuSettings.entrySet()) {
                for (var entry : variants.entrySet()) {
                    String name = cpus.getKey() + ": " + entry.getKey();
                    for (int attempt = 1; ; attempt++) {
                        Thread.sleep(STAGGER.toMillis());
                        long start = System.nanoTime();
                        try (LocalLambda lambda = entry.getValue().start(name, cpus.getValue())) {
                            InvocationResult result = lambda.invoke(singleEvent());
                            if (attempt == 1 && killedFromOutside(result)) {
                                // On a shared machine another build's clean-up may signal our JVM; one retry.
                                System.out.println("The JVM of '" + name + "' was killed from outside; started again");
                                continue;
                            }
                            check(lambda, result);
                            cold.get(name).add(System.nanoTime() - start);
                            cpu.get(name).add(cpuTimeNanos(lambda));
                            init.get(name).add(lambda.initDuration().orElseThrow().toNanos());
                        }
                        break;
                    }
                }
            }
        }
        cold.forEach((name, samples) -> record("Cold start, JVM start to first response, " + name,
                "cold:" + name, samples));
        init.forEach((name, samples) -> record("Init duration (JVM start to first poll), " + name,
                "init:" + name, samples));
        // CPU time hardly depends on what else the machine runs, so it tells small changes apart when wall time cannot.
        cpu.forEach((name, samples) -> record("CPU time of the JVM to first response (user + system), " + name,
                "cpu:" + name, samples));
    }

    /** SIGTERM or SIGKILL (exit status 143 or 137), which nothing in the JVM sends itself. */
    private static boolean killedFromOutside(InvocationResult result) {
        return result instanceof InvocationResult.Error error && error.errorType().equals("Runtime.ExitError")
                && error.errorMessage().matches(".*exit status 1(43|37)");
    }

    /** User and system time of all the JVM's threads so far, from /proc (in clock ticks of 10 ms). */
    private static long cpuTimeNanos(LocalLambda lambda) throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(lambda.pid()), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // After the command: state is field 3 of stat(5), utime 14 and stime 15.
        long ticks = Long.parseLong(fields[14 - 3]) + Long.parseLong(fields[15 - 3]);
        return ticks * 10_000_000L;
    }

    /** The function (and any compared builds of it) and the baselines its cold start is judged against. */
    private Map<String, Variant> coldVariants() {
        Map<String, Variant> variants = new LinkedHashMap<>();
        variants.put("function", functionVariant());
        compared.forEach((label, classpath) -> variants.put("function " + label,
                new Variant(function, classpath, fastEndpoints())));
        variants.put(LEAN, leanVariant());
        variants.put(RAW_ON_OURS, baseline("RawSdkHandler", RawSdkHandler.class));
        variants.put("trivial handler", baseline("TrivialHandler", TrivialHandler.class));
        return variants;
    }

    private Variant leanVariant() {
        SamFunction lean = new SamFunction("LeanSdkHandler", LEAN_HANDLER, function.runtime(), function.timeout(),
                function.memorySize(), function.environment());
        return new Variant(lean, leanClasspath, fastEndpoints());
    }

    /** Builds the lean baseline, its own Maven project, with the Maven running this benchmark. */
    private FunctionClasspath buildLeanBaseline() throws IOException, InterruptedException {
        String maven = Path.of(System.getProperty("maven.home", ""), "bin", "mvn").toString();
        if (!Files.isExecutable(Path.of(maven))) {
            maven = "mvn";
        }
        Process build = new ProcessBuilder(maven, "-q", "-B", "-f", LEAN_PROJECT, "compile")
                .redirectErrorStream(true).redirectOutput(OUT.resolve("lean-sdk-build.log").toFile()).start();
        if (build.waitFor() != 0) {
            throw new IllegalStateException("The lean baseline did not build: see " + OUT.resolve("lean-sdk-build.log"));
        }
        Path target = Path.of("target", "lean-sdk").toAbsolutePath();
        List<Path> entries = new ArrayList<>(List.of(target.resolve("classes")));
        for (String jar : Files.readString(target.resolve("function.classpath")).strip().split(File.pathSeparator)) {
            entries.add(Path.of(jar));
        }
        return new FunctionClasspath(entries, functionClasspath.runtimeClient());
    }

    // ---- class loading -----------------------------------------------------------------------------------------

    /**
     * How many classes each cold variant loads up to its first response, from where: one JVM per variant with
     * -Xlog:class+load, grouped by jar (versions dropped), our classes and the JDK's.
     */
    private void classLoading() throws Exception {
        Map<String, Map<String, Integer>> bySource = new LinkedHashMap<>();
        for (var entry : coldVariants().entrySet()) {
            Path log = OUT.resolve("classes-" + entry.getKey().replaceAll("[^A-Za-z0-9+-]", "-") + ".log");
            Files.deleteIfExists(log);
            Variant variant = entry.getValue().withJavaOptions("-Xlog:class+load=info:file=" + log);
            Thread.sleep(STAGGER.toMillis());
            try (LocalLambda lambda = variant.start("classes-" + entry.getKey(), List.of())) {
                check(lambda, lambda.invoke(singleEvent()));
                // Read before the JVM ends: what it loads to shut down is not the cold start's.
                bySource.put(entry.getKey(), classSources(log));
            }
        }
        System.out.println();
        System.out.println("Classes loaded to the first response, by source (the 12 largest groups per variant):");
        bySource.forEach((name, sources) -> {
            int total = sources.values().stream().mapToInt(Integer::intValue).sum();
            results.put("classes:" + name, (double) total);
            table.add(row("Classes loaded to the first response: " + name, String.valueOf(total)));
            System.out.printf("  %s: %d%n    %s%n", name, total, sources.entrySet().stream()
                    .sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(12)
                    .map(source -> source.getKey() + " " + source.getValue())
                    .collect(java.util.stream.Collectors.joining(", ")));
        });
    }

    private static Map<String, Integer> classSources(Path log) throws IOException {
        Map<String, Integer> counts = new HashMap<>();
        for (String line : Files.readAllLines(log)) {
            int at = line.indexOf(" source: ");
            if (at < 0) {
                continue;
            }
            String source = line.substring(at + " source: ".length());
            String group;
            if (source.startsWith("jrt:") || source.startsWith("shared objects file")) {
                group = "JDK";
            } else if (source.endsWith(".jar")) {
                group = source.substring(source.lastIndexOf('/') + 1).replaceAll("-[0-9][0-9.]*\\.jar$", "");
            } else if (source.contains("/classes")) {
                group = "our classes";
            } else {
                group = "other (" + source.replaceAll("[0-9a-f]{8,}", "") + ")";
            }
            counts.merge(group, 1, Integer::sum);
        }
        return counts;
    }

    private Variant functionVariant() {
        return new Variant(function, functionClasspath, fastEndpoints());
    }

    private Variant baseline(String name, Class<?> handler) {
        SamFunction baseline = new SamFunction(name, handler.getName() + "::handleRequest", function.runtime(),
                function.timeout(), function.memorySize(), function.environment());
        return new Variant(baseline, withTestClasses, fastEndpoints());
    }

    /** A variant whose JAVA_TOOL_OPTIONS also name a class archive, made by a training run of the same variant. */
    private Variant archived(Variant variant, String name, String dumpFlag, String useFlag, String suffix)
            throws Exception {
        Path archive = OUT.resolve(name + suffix);
        Files.deleteIfExists(archive);
        variant = variant.withClassesInJars(name);
        Variant training = variant.withJavaOptions(dumpFlag.formatted(archive));
        try (LocalLambda lambda = training.start(name + "-training")) {
            for (int i = 0; i < 5; i++) {
                check(lambda, lambda.invoke(singleEvent()));
            }
        }
        if (!Files.exists(archive)) {
            throw new IllegalStateException("The training run wrote no archive " + archive);
        }
        return variant.withJavaOptions(useFlag.formatted(archive));
    }

    /** JDK 25's AOT cache (JEP 483/514): a recording run, then the cache made from it with the same classpath. */
    private Variant aotCache(Variant variant) throws Exception {
        Path configuration = OUT.resolve("function.aotconf");
        Path cache = OUT.resolve("function.aot");
        Files.deleteIfExists(configuration);
        Files.deleteIfExists(cache);
        variant = variant.withClassesInJars("function-aot");
        Variant recording = variant.withJavaOptions("-XX:AOTMode=record -XX:AOTConfiguration=" + configuration);
        try (LocalLambda lambda = recording.start("function-aot-recording")) {
            for (int i = 0; i < 5; i++) {
                check(lambda, lambda.invoke(singleEvent()));
            }
        }
        Process create = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:MaxRAM=" + function.memorySize() + "m",
                "-XX:AOTMode=create", "-XX:AOTConfiguration=" + configuration, "-XX:AOTCache=" + cache,
                "-classpath", variant.classpath().javaClasspath())
                .redirectErrorStream(true).redirectOutput(OUT.resolve("function-aot-create.log").toFile()).start();
        if (create.waitFor() != 0 || !Files.exists(cache)) {
            System.out.println("JDK AOT cache could not be made (see target/benchmark/function-aot-create.log)");
            return null;
        }
        return variant.withJavaOptions("-XX:AOTCache=" + cache);
    }

    // ---- warm latency ------------------------------------------------------------------------------------------

    private void warmLatency() throws Exception {
        Map<String, Variant> variants = new LinkedHashMap<>();
        variants.put("trivial handler", baseline("TrivialHandler", TrivialHandler.class));
        variants.put("raw SDK handler", baseline("RawSdkHandler", RawSdkHandler.class));
        variants.put(SDK_CALLS_BASELINE, baseline("RawSdkStoreHandler",
                RawSdkStoreHandler.class));
        variants.put("function", functionVariant());
        for (var entry : variants.entrySet()) {
            Thread.sleep(STAGGER.toMillis());
            try (LocalLambda lambda = entry.getValue().start(entry.getKey().replace(' ', '-') + "-warm")) {
                Samples warm = measure(WARM_UP, warmRuns, () -> check(lambda, lambda.invoke(singleEvent())));
                record("Warm invocation, round trip through the Runtime API: " + entry.getKey(),
                        "warm:" + entry.getKey(), warm);
                results.put("p99:" + entry.getKey(), warm.percentile(99));
                results.put("rss:" + entry.getKey(), peakRssMegabytes(lambda));
                table.add(row("Peak RSS (VmHWM) after %d invocations: %s".formatted(WARM_UP + warmRuns,
                        entry.getKey()), "%.0f MB".formatted(results.get("rss:" + entry.getKey()))));
            }
        }
    }

    // ---- SnapStart priming -------------------------------------------------------------------------------------

    /** The first invocation after init, as a SnapStart restore serves it: without and with the checkpoint hooks. */
    private void primedFirstInvocation() throws Exception {
        Map<String, Variant> variants = new LinkedHashMap<>();
        variants.put("function", functionVariant());
        variants.put("function after its beforeCheckpoint priming", new Variant(new SamFunction("PrimedFunction",
                PrimedHandler.class.getName() + "::handleRequest", function.runtime(), function.timeout(),
                function.memorySize(), function.environment()), withTestClasses, fastEndpoints()));
        Map<String, Samples> first = new LinkedHashMap<>();
        variants.keySet().forEach(name -> first.put(name, new Samples()));
        for (int run = 0; run < coldRuns; run++) {
            for (var entry : variants.entrySet()) {
                Thread.sleep(STAGGER.toMillis());
                try (LocalLambda lambda = entry.getValue().start(entry.getKey().replace(' ', '-'))) {
                    awaitInit(lambda);
                    // What the runtime client does after init (e.g. its own class loading) settles first.
                    Thread.sleep(200);
                    long start = System.nanoTime();
                    check(lambda, lambda.invoke(singleEvent()));
                    first.get(entry.getKey()).add(System.nanoTime() - start);
                }
            }
        }
        first.forEach((name, samples) -> record("First invocation after init: " + name, "first:" + name, samples));
    }

    private static void awaitInit(LocalLambda lambda) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (lambda.initDuration().isEmpty()) {
            if (System.nanoTime() > deadline || lambda.initError().isPresent()) {
                throw new IllegalStateException("The function did not initialise: " + lambda.initError()
                        + "\n" + String.join("\n", lambda.newOutput()));
            }
            Thread.sleep(5);
        }
    }

    // ---- SQS batch ---------------------------------------------------------------------------------------------

    /**
     * A batch of 10 records against one record, AWS Backup answering after 300 ms, in one warm environment: at the
     * template's StartBackupJob rate, AWS Backup's default quota of 5 per second, which lets 10 calls start no sooner
     * than over a second and a half, and at a raised quota of 50 per second, where the rate is no limit.
     */
    private void batchOfTen() throws Exception {
        batchOfTen(function.withVariable(Configuration.START_BACKUP_JOB_RATE, "5"), "");
        batchOfTen(function.withVariable(Configuration.START_BACKUP_JOB_RATE, RAISED_QUOTA_RATE), RAISED_QUOTA);
    }

    private void batchOfTen(SamFunction function, String quota) throws Exception {
        Map<String, String> endpoints = Map.of(
                "AWS_ENDPOINT_URL_BACKUP", slowBackup.endpoint().toString(),
                "AWS_ENDPOINT_URL_DYNAMODB", dynamoDb.endpoint().toString());
        Thread.sleep(STAGGER.toMillis());
        try (LocalLambda lambda = new Variant(function, functionClasspath, endpoints).start("function-batch" + quota)) {
            for (int i = 0; i < 3; i++) {
                checkBatch(lambda, lambda.invoke(sqsEvent(10)));
                check(lambda, lambda.invoke(singleEvent()));
            }
            Samples single = new Samples();
            Samples batch = new Samples();
            for (int run = 0; run < batchRuns; run++) {
                long start = System.nanoTime();
                check(lambda, lambda.invoke(singleEvent()));
                single.add(System.nanoTime() - start);
                start = System.nanoTime();
                checkBatch(lambda, lambda.invoke(sqsEvent(10)));
                batch.add(System.nanoTime() - start);
            }
            String label = quota.isEmpty() ? ", quota 5 per second" : ", raised quota 50 per second";
            record("One record, Backup latency 300 ms" + label, "single300" + quota, single);
            record("SQS batch of 10 records, Backup latency 300 ms" + label, "batch300" + quota, batch);
            results.put("rss:batch", peakRssMegabytes(lambda));
            table.add(row("Peak RSS (VmHWM) after the batches", "%.0f MB".formatted(results.get("rss:batch"))));
        }
    }

    // ---- report ------------------------------------------------------------------------------------------------

    private void report() {
        System.out.println();
        System.out.println("| Measure | min | median | max |");
        System.out.println("|---|---|---|---|");
        table.forEach(System.out::println);
        System.out.println();
        System.out.println("Ratios and targets (medians of one run):");
        for (String cpus : cpuSettings.keySet()) {
            ratio("%s: cold(function) / cold(%s)".formatted(cpus, LEAN), "cold:%s: function".formatted(cpus),
                    "cold:%s: %s".formatted(cpus, LEAN), 1.5);
            compared.keySet().forEach(label -> ratio("%s: cold(function %s) / cold(%s)".formatted(cpus, label, LEAN),
                    "cold:%s: function %s".formatted(cpus, label), "cold:%s: %s".formatted(cpus, LEAN), Double.NaN));
            compared.keySet().forEach(label -> ratio("%s: cold(function) / cold(function %s)".formatted(cpus, label),
                    "cold:%s: function".formatted(cpus), "cold:%s: function %s".formatted(cpus, label), Double.NaN));
            compared.keySet().forEach(label -> ratio("%s: CPU time(function) / CPU time(function %s)".formatted(cpus,
                    label), "cpu:%s: function".formatted(cpus), "cpu:%s: function %s".formatted(cpus, label), Double.NaN));
            ratio("%s: CPU time(function) / CPU time(%s)".formatted(cpus, LEAN), "cpu:%s: function".formatted(cpus),
                    "cpu:%s: %s".formatted(cpus, LEAN), Double.NaN);
            ratio("%s: cold(function) / cold(%s)".formatted(cpus, RAW_ON_OURS), "cold:%s: function".formatted(cpus),
                    "cold:%s: %s".formatted(cpus, RAW_ON_OURS), Double.NaN);
            ratio("%s: cold(%s) / cold(%s)".formatted(cpus, RAW_ON_OURS, LEAN),
                    "cold:%s: %s".formatted(cpus, RAW_ON_OURS), "cold:%s: %s".formatted(cpus, LEAN), Double.NaN);
        }
        ratio("cold(function + AppCDS) / cold(raw SDK handler + AppCDS)",
                "cold:%s: function + AppCDS archive".formatted(cpuSettings.keySet().iterator().next()),
                "cold:%s: raw SDK handler + AppCDS archive".formatted(cpuSettings.keySet().iterator().next()),
                Double.NaN);
        ratio("batch of 10 / one record (300 ms latency, quota 5/s: the quota is the limit)", "batch300", "single300",
                Double.NaN);
        ratio("batch of 10 / one record (300 ms latency, raised quota 50/s)", "batch300" + RAISED_QUOTA,
                "single300" + RAISED_QUOTA, 1.3);
        if (results.containsKey("warm:function")) {
            double overhead = results.get("warm:function") - results.get("warm:" + SDK_CALLS_BASELINE);
            System.out.printf("  warm overhead of our code: %.1f ms median (function %.1f - the same four SDK calls"
                    + " made raw %.1f); target <= 5 ms: %s%n", overhead, results.get("warm:function"),
                    results.get("warm:" + SDK_CALLS_BASELINE), overhead <= 5 ? "met" : "MISSED");
            System.out.printf("  warm p99: function %.1f ms, raw SDK handler with the store's writes %.1f ms,"
                    + " raw SDK handler %.1f ms, trivial %.1f ms%n", results.get("p99:function"),
                    results.get("p99:" + SDK_CALLS_BASELINE),
                    results.get("p99:raw SDK handler"), results.get("p99:trivial handler"));
        }
        if (results.containsKey("packageMiB")) {
            System.out.printf("  package (file sizes summed): %.2f MiB; target <= 17 MiB: %s%n",
                    results.get("packageMiB"), results.get("packageMiB") <= 17 ? "met" : "MISSED");
        }
        double rss = Stream.of("rss:function", "rss:batch").filter(results::containsKey).mapToDouble(results::get)
                .max().orElse(Double.NaN);
        if (!Double.isNaN(rss)) {
            System.out.printf("  peak RSS of the function JVM: %.0f MB; target <= 150 MB: %s%n", rss,
                    rss <= 150 ? "met" : "MISSED");
        }
    }

    private void ratio(String label, String numerator, String denominator, double target) {
        if (!results.containsKey(numerator) || !results.containsKey(denominator)) {
            return;
        }
        double ratio = results.get(numerator) / results.get(denominator);
        String verdict = Double.isNaN(target) ? "" : "; target <= %.2f: %s".formatted(target,
                ratio <= target ? "met" : "MISSED");
        System.out.printf("  %s = %.2f%s%n", label, ratio, verdict);
    }

    private void record(String label, String key, Samples samples) {
        results.put(key, samples.median());
        table.add("| %s (n=%d) | %.1f ms | %.1f ms | %.1f ms |".formatted(label, samples.size(), samples.min(),
                samples.median(), samples.max()));
    }

    private static String row(String label, String value) {
        return "| %s | | %s | |".formatted(label, value);
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private Map<String, String> fastEndpoints() {
        return Map.of("AWS_ENDPOINT_URL_BACKUP", backup.endpoint().toString(),
                "AWS_ENDPOINT_URL_DYNAMODB", dynamoDb.endpoint().toString());
    }

    /** The scheduled-rule sample event with a new id: a new idempotency key, so every invocation starts a job. */
    private static String singleEvent() {
        try {
            ObjectNode event = (ObjectNode) JSON.readTree(Path.of("events", "scheduled-rule.json").toFile());
            return event.put("id", UUID.randomUUID().toString()).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An SQS event of new messages, each a plain request for another table. */
    private static String sqsEvent(int records) {
        ObjectNode event = JSON.createObjectNode();
        ArrayNode array = event.putArray("Records");
        for (int i = 0; i < records; i++) {
            array.addObject()
                    .put("messageId", UUID.randomUUID().toString())
                    .put("receiptHandle", "benchmark")
                    .put("body", "{\"ResourceArn\": \"arn:aws:dynamodb:eu-west-1:123456789012:table/t" + i + "\"}")
                    .put("eventSource", "aws:sqs")
                    .put("eventSourceARN", "arn:aws:sqs:eu-west-1:123456789012:start-backup-job-requests")
                    .put("awsRegion", "eu-west-1");
        }
        return event.toString();
    }

    private static void check(LocalLambda lambda, InvocationResult result) {
        if (!(result instanceof InvocationResult.Response response) || response.body().contains("errorType")) {
            throw new IllegalStateException("The invocation failed: " + result + "\n"
                    + String.join("\n", lambda.newOutput()));
        }
    }

    private static void checkBatch(LocalLambda lambda, InvocationResult result) throws IOException {
        check(lambda, result);
        JsonNode failures = JSON.readTree(((InvocationResult.Response) result).body()).path("batchItemFailures");
        if (!failures.isArray() || !failures.isEmpty()) {
            throw new IllegalStateException("Records failed: " + failures + "\n"
                    + String.join("\n", lambda.newOutput()));
        }
    }

    /** VmHWM, the most resident memory the JVM process had at any time. */
    private static double peakRssMegabytes(LocalLambda lambda) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(lambda.pid()), "status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        }
        throw new IllegalStateException("No VmHWM in /proc/" + lambda.pid() + "/status");
    }

    private static Samples measure(int warmUp, int runs, Runnable action) {
        for (int i = 0; i < warmUp; i++) {
            action.run();
        }
        Samples samples = new Samples();
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            action.run();
            samples.add(System.nanoTime() - start);
        }
        return samples;
    }

    private void stopStandIns() {
        if (backup != null) {
            backup.close();
        }
        if (slowBackup != null) {
            slowBackup.close();
        }
        if (dynamoDb != null) {
            dynamoDb.close();
        }
    }

    /** One way of starting an environment: the function (or a baseline), its classpath and its endpoints. */
    private record Variant(SamFunction function, FunctionClasspath classpath, Map<String, String> endpoints) {

        LocalLambda start(String logName) {
            return start(logName, List.of());
        }

        /** Started through a launcher such as taskset. */
        LocalLambda start(String logName, List<String> launcher) {
            return LocalLambda.start(function, classpath, endpoints,
                    OUT.resolve(logName.replaceAll("[^A-Za-z0-9+-]", "-") + ".log"), launcher);
        }

        /**
         * The same variant with its class directories (target/classes, target/test-classes) packed into jars and an
         * empty task root, because CDS refuses to archive classes from a directory ("Cannot have non-empty directory
         * in paths").
         */
        Variant withClassesInJars(String name) throws IOException {
            Path taskRoot = OUT.resolve(name + "-task");
            Files.createDirectories(taskRoot);
            List<Path> entries = new ArrayList<>(List.of(taskRoot));
            for (Path entry : classpath.function()) {
                if (Files.isDirectory(entry)) {
                    Path jar = OUT.resolve(name + "-" + entry.getFileName() + ".jar");
                    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(jar));
                            Stream<Path> files = Files.walk(entry)) {
                        for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                            add(out, entry.relativize(file).toString(), file);
                        }
                    }
                    entries.add(jar);
                } else {
                    entries.add(entry);
                }
            }
            return new Variant(function, new FunctionClasspath(entries, classpath.runtimeClient()), endpoints);
        }

        /** The same variant with more JVM flags, passed as Lambda allows: through JAVA_TOOL_OPTIONS. */
        Variant withJavaOptions(String options) {
            Map<String, String> environment = new HashMap<>(function.environment());
            environment.merge("JAVA_TOOL_OPTIONS", options, (flags, more) -> flags + " " + more);
            return new Variant(new SamFunction(function.logicalId(), function.handler(), function.runtime(),
                    function.timeout(), function.memorySize(), environment), classpath, endpoints);
        }
    }

    /** Durations in nanoseconds, reported in milliseconds. */
    private static final class Samples {

        private final List<Long> nanos = new ArrayList<>();

        void add(long value) {
            nanos.add(value);
        }

        int size() {
            return nanos.size();
        }

        double min() {
            return percentile(0);
        }

        double max() {
            return percentile(100);
        }

        double median() {
            return percentile(50);
        }

        /** Nearest-rank percentile in ms. */
        double percentile(double p) {
            List<Long> sorted = nanos.stream().sorted().toList();
            int rank = (int) Math.ceil(p / 100.0 * sorted.size());
            return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1))) / 1e6;
        }
    }
}
