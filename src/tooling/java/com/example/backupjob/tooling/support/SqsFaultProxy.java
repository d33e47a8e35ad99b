package com.example.backupjob.tooling.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Forwards SQS calls to a real server (ElasticMQ) and makes SendMessageBatch fail one entry, as SQS does under
 * load: the entry is held back from the server and reported in the answer's Failed list (an internal error, not the
 * sender's fault, unless told), while the other entries are really sent and reported as the server answered them.
 *
 * <p>It also refuses a SendMessageBatch whose messages together exceed {@link #MAX_BATCH_BYTES}, as SQS does
 * (BatchRequestTooLong), counting what SQS counts: each body and each message attribute's name, type and value, in
 * UTF-8 bytes. ElasticMQ checks only the bodies' length in UTF-16 characters, so a batch of multi-byte tags that SQS
 * refuses would pass it. A model of our own of that one rule.
 */
public final class SqsFaultProxy implements AutoCloseable {

    private static final String SEND_MESSAGE_BATCH = "AmazonSQS.SendMessageBatch";
    /**
     * SQS's limit on a batch's messages taken together: 256 KiB, what a queue whose MaximumMessageSize is 256 KiB
     * allows (the default before SQS raised the largest message to 1 MiB in 2025).
     */
    public static final int MAX_BATCH_BYTES = 262_144;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI target;
    private final HttpServer server;
    private final HttpClient client = HttpClient.newHttpClient();
    private final AtomicInteger failuresLeft;
    private final boolean senderFault;
    private final AtomicInteger batchCalls = new AtomicInteger();

    private SqsFaultProxy(URI target, int failures, boolean senderFault) throws IOException {
        this.target = target;
        this.failuresLeft = new AtomicInteger(failures);
        this.senderFault = senderFault;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::forward);
        server.start();
    }

    /** Fails the first entry of the next {@code failures} SendMessageBatch calls with an internal error. */
    public static SqsFaultProxy start(URI target, int failures) {
        return start(target, failures, false);
    }

    /** The same, the entry failed as the sender's fault when {@code senderFault}, as for a malformed message. */
    public static SqsFaultProxy start(URI target, int failures, boolean senderFault) {
        try {
            return new SqsFaultProxy(target, failures, senderFault);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** How many SendMessageBatch calls it received. */
    public int batchCalls() {
        return batchCalls.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void forward(HttpExchange exchange) throws IOException {
        try (exchange) {
            String operation = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            JsonNode heldBack = null;
            if (SEND_MESSAGE_BATCH.equals(operation)) {
                batchCalls.incrementAndGet();
                long bytes = payloadBytes(JSON.readTree(body));
                if (bytes > MAX_BATCH_BYTES) {
                    refuse(exchange, "BatchRequestTooLong", "Batch requests cannot be longer than " + MAX_BATCH_BYTES
                            + " bytes. You have sent " + bytes + " bytes.");
                    return;
                }
                if (failuresLeft.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
                    ObjectNode request = (ObjectNode) JSON.readTree(body);
                    heldBack = ((ArrayNode) request.get("Entries")).remove(0);
                    body = request.toString();
                }
            }
            HttpResponse<String> response = send(exchange, operation, body);
            String answer = response.body();
            if (heldBack != null && response.statusCode() == 200) {
                ObjectNode result = (ObjectNode) JSON.readTree(answer);
                result.withArray("Failed").addObject().put("Id", heldBack.get("Id").asText())
                        .put("SenderFault", senderFault).put("Code", senderFault ? "InvalidParameterValue" : "InternalError")
                        .put("Message", "Injected by SqsFaultProxy");
                answer = result.toString();
            }
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            response.headers().firstValue("Content-Type")
                    .ifPresent(type -> exchange.getResponseHeaders().set("Content-Type", type));
            exchange.sendResponseHeaders(response.statusCode(), bytes.length);
            exchange.getResponseBody().write(bytes);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What SQS counts of a SendMessageBatch request against its limit. */
    private static long payloadBytes(JsonNode request) {
        long bytes = 0;
        for (JsonNode entry : request.path("Entries")) {
            bytes += utf8(entry.path("MessageBody").asText());
            for (var attribute : entry.path("MessageAttributes").properties()) {
                bytes += utf8(attribute.getKey()) + utf8(attribute.getValue().path("DataType").asText())
                        + utf8(attribute.getValue().path("StringValue").asText());
            }
        }
        return bytes;
    }

    private static long utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    /** An error as SQS's JSON protocol answers it. */
    private static void refuse(HttpExchange exchange, String code, String message) throws IOException {
        byte[] bytes = JSON.createObjectNode().put("__type", "com.amazonaws.sqs#" + code).put("message", message)
                .toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.0");
        exchange.getResponseHeaders().set("x-amzn-query-error", "AWS.SimpleQueueService." + code + ";Sender");
        exchange.sendResponseHeaders(400, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private HttpResponse<String> send(HttpExchange exchange, String operation, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(target.resolve(exchange.getRequestURI()))
                .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofString(body));
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (operation != null) {
            request.header("X-Amz-Target", operation);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
