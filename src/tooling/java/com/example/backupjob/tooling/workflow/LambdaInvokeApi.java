package com.example.backupjob.tooling.workflow;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.example.backupjob.tooling.runtime.InvocationResult;
import com.example.backupjob.tooling.runtime.LocalLambda;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local Lambda Invoke API (POST /2015-03-31/functions/{name}/invocations) for one function running as a
 * {@link LocalLambda}: what a workflow's lambda:invoke tasks call, answering as Lambda does, function errors with
 * {@code X-Amz-Function-Error}.
 */
public final class LambdaInvokeApi implements AutoCloseable {

    private static final String FUNCTIONS = "/2015-03-31/functions/";
    private static final String INVOCATIONS = "/invocations";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String functionName;
    private final LocalLambda lambda;
    private final HttpServer server;
    private final List<String> payloads = new CopyOnWriteArrayList<>();
    private final AtomicInteger responsesToLose = new AtomicInteger();

    private LambdaInvokeApi(String functionName, LocalLambda lambda) throws IOException {
        this.functionName = functionName;
        this.lambda = lambda;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext(FUNCTIONS, this::invoke);
        server.start();
    }

    /** Serves the function under {@code functionName} (an ARN, qualified or not, as a task's FunctionName). */
    public static LambdaInvokeApi start(String functionName, LocalLambda lambda) {
        try {
            return new LambdaInvokeApi(functionName, lambda);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The payload of every invocation so far, in order. */
    public List<String> payloads() {
        return List.copyOf(payloads);
    }

    /**
     * The next {@code count} invocations run the function, but their callers get a Lambda ServiceException instead
     * of its answer, as when Lambda's response does not reach Step Functions.
     */
    public void loseNextResponses(int count) {
        responsesToLose.set(count);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void invoke(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            String name = path.endsWith(INVOCATIONS)
                    ? URLDecoder.decode(path.substring(FUNCTIONS.length(), path.length() - INVOCATIONS.length()), UTF_8)
                    : null;
            if (!exchange.getRequestMethod().equals("POST") || !functionName.equals(name)) {
                lambdaError(exchange, 404, "ResourceNotFoundException", "Function not found: " + name);
                return;
            }
            String payload = new String(exchange.getRequestBody().readAllBytes(), UTF_8);
            payloads.add(payload);
            InvocationResult result = lambda.invoke(payload);
            if (responsesToLose.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
                lambdaError(exchange, 500, "ServiceException", "Lambda's response was lost");
                return;
            }
            exchange.getResponseHeaders().set("X-Amz-Executed-Version", "$LATEST");
            switch (result) {
                case InvocationResult.Response response -> send(exchange, 200, response.body());
                case InvocationResult.Error error -> {
                    exchange.getResponseHeaders().set("X-Amz-Function-Error", "Unhandled");
                    send(exchange, 200, error.body());
                }
            }
        }
    }

    private static void lambdaError(HttpExchange exchange, int status, String type, String message)
            throws IOException {
        exchange.getResponseHeaders().set("x-amzn-ErrorType", type);
        send(exchange, status, JSON.createObjectNode().put("Type", "Service").put("message", message).toString());
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
