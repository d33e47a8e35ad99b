package com.example.backupjob.tooling.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A local Lambda Runtime API (2018-06-01) for one execution environment: it hands queued events to the function's
 * runtime interface client and returns what the client posts back, answers, function errors and init errors.
 */
public final class LocalRuntimeApi implements AutoCloseable {

    static {
        // TCP_NODELAY, as Lambda's own API: no answer may wait for a delayed ACK, which costs a Runtime API server
        // that writes a response in pieces ~70-100 ms per invocation. The JDK server reads this once per JVM, so the
        // build sets it too, for JVMs where another HttpServer started first.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private static final String INVOCATION = "/2018-06-01/runtime/invocation/";
    private static final String INIT_ERROR = "/2018-06-01/runtime/init/error";
    private static final String ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type";
    /** Lambda lets an on-demand environment initialise for up to 10 s before the first invocation's own timeout. */
    private static final Duration INIT_TIMEOUT = Duration.ofSeconds(10);

    private final ObjectMapper json = new ObjectMapper();
    private final BlockingQueue<Invocation> queued = new LinkedBlockingQueue<>();
    private final Map<String, Invocation> running = new ConcurrentHashMap<>();
    private final CompletableFuture<Instant> firstPoll = new CompletableFuture<>();
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final String functionArn;
    private final HttpServer server;
    private volatile InvocationResult.Error initError;
    private volatile InvocationResult.Error failure;
    private volatile boolean polling;

    private record Invocation(String id, String event, Duration timeout, CompletableFuture<InvocationResult> result) {
    }

    private LocalRuntimeApi(String functionArn) throws IOException {
        this.functionArn = functionArn;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(executor);
        server.createContext(INVOCATION, this::invocation);
        server.createContext(INIT_ERROR, this::initError);
        server.start();
    }

    /** Starts the API on a free loopback port; the events it hands out say they were sent to {@code functionArn}. */
    public static LocalRuntimeApi start(String functionArn) {
        try {
            return new LocalRuntimeApi(functionArn);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The value of AWS_LAMBDA_RUNTIME_API for the runtime client: host and port. */
    public String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /**
     * Queues the event and waits for the function's answer. The timeout counts from when the runtime takes the event,
     * as Lambda's does; a runtime that has not asked for its first event yet gets Lambda's 10 s to initialise first.
     */
    public InvocationResult invoke(String eventJson, Duration timeout) {
        String id = UUID.randomUUID().toString();
        if (failure != null) {
            return failure(id, failure);
        }
        Invocation invocation = new Invocation(id, eventJson, timeout, new CompletableFuture<>());
        queued.add(invocation);
        if (failure != null) {
            failAll();
        }
        Duration wait = firstPoll.isDone() ? timeout : timeout.plus(INIT_TIMEOUT);
        try {
            return invocation.result().get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            queued.remove(invocation);
            running.remove(id);
            return lambdaError(id, "Sandbox.Timedout",
                    "Task timed out after %.2f seconds".formatted(timeout.toMillis() / 1000.0));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the function", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The error the runtime reported on POST /runtime/init/error, if it did. */
    public Optional<InvocationResult.Error> initError() {
        return Optional.ofNullable(initError);
    }

    /** When the runtime first asked for an event, i.e. when its init phase ended; empty until then. */
    public Optional<Instant> initCompleted() {
        return Optional.ofNullable(firstPoll.getNow(null));
    }

    /**
     * Waits, up to the timeout, until the runtime asks for its next event with nothing queued or running, or has
     * exited: the client logs a function error after reporting it, so only then is all it wrote for an
     * invocation written.
     */
    public void awaitIdle(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!(polling && queued.isEmpty() && running.isEmpty()) && failure == null
                && System.nanoTime() < deadline) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Tells the API that the runtime process ended: what is queued or running fails as Lambda reports it, with the
     * init error if there was one, else {@code Runtime.ExitError}.
     */
    public void runtimeExited(int exitStatus) {
        if (failure == null) {
            failure = lambdaError(null, "Runtime.ExitError", "Runtime exited with error: exit status " + exitStatus);
        }
        failAll();
    }

    @Override
    public void close() {
        server.stop(0);
        // Interrupts a GET /next still waiting for an event.
        executor.shutdownNow();
    }

    private void invocation(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath().substring(INVOCATION.length());
            String method = exchange.getRequestMethod();
            if (path.equals("next") && method.equals("GET")) {
                next(exchange);
            } else if (path.endsWith("/response") && method.equals("POST")) {
                String id = path.substring(0, path.length() - "/response".length());
                String body = new String(exchange.getRequestBody().readAllBytes(), UTF_8);
                complete(id, new InvocationResult.Response(id, body));
                send(exchange, 202, "{\"status\":\"OK\"}");
            } else if (path.endsWith("/error") && method.equals("POST")) {
                String id = path.substring(0, path.length() - "/error".length());
                complete(id, reportedError(id, exchange));
                send(exchange, 202, "{\"status\":\"OK\"}");
            } else {
                send(exchange, 404, "{\"errorType\":\"NotFound\",\"errorMessage\":\"No such Runtime API path\"}");
            }
        }
    }

    private void next(HttpExchange exchange) throws IOException {
        firstPoll.complete(Instant.now());
        polling = true;
        Invocation invocation;
        try {
            invocation = queued.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        running.put(invocation.id(), invocation);
        polling = false;
        var headers = exchange.getResponseHeaders();
        headers.set("Content-Type", "application/json");
        headers.set("Lambda-Runtime-Aws-Request-Id", invocation.id());
        headers.set("Lambda-Runtime-Deadline-Ms",
                String.valueOf(System.currentTimeMillis() + invocation.timeout().toMillis()));
        headers.set("Lambda-Runtime-Invoked-Function-Arn", functionArn);
        headers.set("Lambda-Runtime-Trace-Id", traceId());
        send(exchange, 200, invocation.event());
    }

    private void initError(HttpExchange exchange) throws IOException {
        try (exchange) {
            initError = reportedError(null, exchange);
            failure = initError;
            failAll();
            send(exchange, 202, "{\"status\":\"OK\"}");
        }
    }

    private InvocationResult.Error reportedError(String requestId, HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), UTF_8);
        String headerType = exchange.getRequestHeaders().getFirst(ERROR_TYPE_HEADER);
        JsonNode error;
        try {
            error = json.readTree(body);
        } catch (IOException e) {
            return new InvocationResult.Error(requestId, headerType, body, body);
        }
        return new InvocationResult.Error(requestId, error.path("errorType").asText(headerType),
                error.path("errorMessage").asText(null), body);
    }

    private void complete(String id, InvocationResult result) {
        // An answer after the invocation timed out has nobody waiting for it.
        Invocation invocation = running.remove(id);
        if (invocation != null) {
            invocation.result().complete(result);
        }
    }

    private void failAll() {
        Invocation invocation;
        while ((invocation = queued.poll()) != null) {
            invocation.result().complete(failure(invocation.id(), failure));
        }
        for (String id : running.keySet()) {
            invocation = running.remove(id);
            if (invocation != null) {
                invocation.result().complete(failure(id, failure));
            }
        }
    }

    private InvocationResult.Error lambdaError(String requestId, String type, String message) {
        String body = json.createObjectNode().put("errorType", type).put("errorMessage", message).toString();
        return new InvocationResult.Error(requestId, type, message, body);
    }

    private static InvocationResult.Error failure(String requestId, InvocationResult.Error failure) {
        return new InvocationResult.Error(requestId, failure.errorType(), failure.errorMessage(), failure.body());
    }

    /** An X-Ray trace header of the shape Lambda sends, not sampled. */
    private static String traceId() {
        HexFormat hex = HexFormat.of();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return "Root=1-%08x-%s;Parent=%s;Sampled=0".formatted(System.currentTimeMillis() / 1000,
                hex.toHexDigits(random.nextLong()) + hex.toHexDigits(random.nextInt()),
                hex.toHexDigits(random.nextLong()));
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
