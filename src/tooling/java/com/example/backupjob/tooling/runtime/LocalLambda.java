package com.example.backupjob.tooling.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * One execution environment of a function on this machine, started the way the java25 (and java21) managed runtime starts it:
 * a fresh JVM running the real Lambda runtime interface client, which loads the handler and asks a
 * {@link LocalRuntimeApi} for events. The JVM stays warm between invocations until closed.
 */
public final class LocalLambda implements AutoCloseable {

    private static final String RUNTIME_CLIENT = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";
    /** Where the managed runtime points the client at its native library, instead of one fixed file in /tmp. */
    private static final String NATIVE_LIBRARY_PROPERTY =
            "com.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI";
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(1);

    private final SamFunction function;
    private final LocalRuntimeApi runtimeApi;
    private final Process process;
    private final Instant started;
    private final Path log;
    private final Path nativeLibrary;
    private long logOffset;

    private LocalLambda(SamFunction function, LocalRuntimeApi runtimeApi, Process process, Instant started, Path log,
            Path nativeLibrary) {
        this.function = function;
        this.runtimeApi = runtimeApi;
        this.process = process;
        this.started = started;
        this.log = log;
        this.nativeLibrary = nativeLibrary;
    }

    /**
     * Starts the function's JVM: {@code java} of the running JDK, the template's environment (its JAVA_TOOL_OPTIONS
     * included), Lambda's reserved variables, fake credentials, then {@code localEnvironment}, e.g. the SDK's endpoint
     * overrides pointing at local stand-ins. What the JVM writes, stdout and stderr as Lambda's log stream has them,
     * goes to {@code log}.
     */
    public static LocalLambda start(SamFunction function, FunctionClasspath classpath,
            Map<String, String> localEnvironment, Path log) {
        return start(function, classpath, localEnvironment, log, List.of());
    }

    /**
     * As {@link #start(SamFunction, FunctionClasspath, Map, Path)}, with {@code java} run through a launcher, e.g.
     * {@code taskset -c 1} to give the JVM one CPU as a small Lambda function has (the launcher must exec java, so
     * that {@link #pid()} stays the JVM's).
     */
    public static LocalLambda start(SamFunction function, FunctionClasspath classpath,
            Map<String, String> localEnvironment, Path log, List<String> launcher) {
        if (!function.runtime().startsWith("java")) {
            throw new IllegalArgumentException(function.logicalId() + " runs on " + function.runtime() + ", not Java");
        }
        String functionName = function.logicalId();
        LocalRuntimeApi runtimeApi = LocalRuntimeApi.start("arn:aws:lambda:%s:%s:function:%s"
                .formatted(SamTemplate.REGION, SamTemplate.ACCOUNT_ID, functionName));
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            Path nativeLibrary = extractNativeLibrary(classpath.runtimeClientJar());
            Path taskRoot = classpath.taskRoot();
            List<String> command = new ArrayList<>(launcher);
            command.addAll(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    // The JVM sizes its heap for the function's memory, as inside Lambda's micro VM.
                    "-XX:MaxRAM=" + function.memorySize() + "m",
                    // The client loads its native library with System.load, which JDKs after 21 warn about.
                    "--enable-native-access=ALL-UNNAMED",
                    "-D" + NATIVE_LIBRARY_PROPERTY + "=" + nativeLibrary,
                    "-classpath", classpath.javaClasspath(),
                    RUNTIME_CLIENT, function.handler()));
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(taskRoot.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            Map<String, String> environment = builder.environment();
            environment.clear();
            environment.putAll(function.environment());
            environment.putAll(Map.ofEntries(
                    Map.entry("AWS_LAMBDA_RUNTIME_API", runtimeApi.address()),
                    Map.entry("_HANDLER", function.handler()),
                    Map.entry("AWS_EXECUTION_ENV", "AWS_Lambda_" + function.runtime()),
                    Map.entry("AWS_LAMBDA_FUNCTION_NAME", functionName),
                    Map.entry("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", String.valueOf(function.memorySize())),
                    Map.entry("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
                    Map.entry("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand"),
                    Map.entry("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + functionName),
                    Map.entry("AWS_LAMBDA_LOG_STREAM_NAME", logStreamName()),
                    Map.entry("LAMBDA_TASK_ROOT", taskRoot.toString()),
                    Map.entry("AWS_REGION", SamTemplate.REGION),
                    Map.entry("AWS_DEFAULT_REGION", SamTemplate.REGION),
                    Map.entry("AWS_ACCESS_KEY_ID", "local"),
                    Map.entry("AWS_SECRET_ACCESS_KEY", "local"),
                    Map.entry("AWS_SESSION_TOKEN", "local"),
                    Map.entry("TZ", ":UTC"),
                    Map.entry("LANG", "en_US.UTF-8")));
            environment.putAll(localEnvironment);
            Instant started = Instant.now();
            Process process = builder.start();
            process.onExit().thenAccept(exited -> runtimeApi.runtimeExited(exited.exitValue()));
            return new LocalLambda(function, runtimeApi, process, started, log, nativeLibrary);
        } catch (IOException e) {
            runtimeApi.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            runtimeApi.close();
            throw e;
        }
    }

    /** Invokes the function with the event, within the template's Timeout. */
    public InvocationResult invoke(String eventJson) {
        return runtimeApi.invoke(eventJson, function.timeout());
    }

    /** The error the function reported when its initialisation failed, if it did. */
    public Optional<InvocationResult.Error> initError() {
        return runtimeApi.initError();
    }

    /** From the JVM's start until the runtime client asked for its first event, Lambda's "Init Duration". */
    public Optional<Duration> initDuration() {
        return runtimeApi.initCompleted().map(completed -> Duration.between(started, completed));
    }

    /** The process id of the function's JVM, e.g. to read its memory use from /proc. */
    public long pid() {
        return process.pid();
    }

    /**
     * The complete lines the function wrote since the last call, once its runtime is idle again (waiting at most a
     * second), so that they include what the runtime client logs after reporting an error.
     */
    public synchronized List<String> newOutput() {
        runtimeApi.awaitIdle(IDLE_TIMEOUT);
        try (SeekableByteChannel channel = Files.newByteChannel(log)) {
            channel.position(logOffset);
            InputStream input = Channels.newInputStream(channel);
            byte[] bytes = input.readAllBytes();
            int complete = lastNewline(bytes) + 1;
            logOffset += complete;
            return new String(bytes, 0, complete, UTF_8).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the JVM as Lambda ends an environment, SIGTERM first, and then the Runtime API. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } finally {
            runtimeApi.close();
            deleteQuietly(nativeLibrary);
            deleteQuietly(nativeLibrary.getParent());
        }
    }

    /** Gives this JVM its own copy of the client's native library: the client's default, one file in /tmp, races. */
    private static Path extractNativeLibrary(Path runtimeClientJar) throws IOException {
        String platform = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "linux-x86_64";
            case "aarch64", "arm64" -> "linux-aarch_64";
            default -> throw new IllegalStateException("The runtime interface client has no native library for "
                    + System.getProperty("os.arch"));
        };
        String name = "libaws-lambda-jni." + platform + ".so";
        Path library = Files.createTempDirectory("local-lambda-").resolve(name);
        try (FileSystem jar = FileSystems.newFileSystem(runtimeClientJar)) {
            Files.copy(jar.getPath("jni", name), library);
        }
        return library;
    }

    private static String logStreamName() {
        return LocalDate.now(ZoneOffset.UTC).toString().replace('-', '/') + "/[$LATEST]"
                + UUID.randomUUID().toString().replace("-", "");
    }

    private static int lastNewline(byte[] bytes) {
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // A leftover temporary file is harmless.
        }
    }
}
