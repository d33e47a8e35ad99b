package com.example.backupjob.template;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A custom resource of the deployed template answering CloudFormation: its inline handler (the template's own code,
 * run by python3 through {@code src/tooling/sam/custom_resource.py}) gets the request CloudFormation sends and must PUT
 * its response to the response URL, here a local HTTP server. CloudFormation itself is a stand-in of our own: no
 * local tool runs it.
 */
final class InlineCustomResource {

    private static final Path SCRIPT = Path.of("src", "tooling", "sam", "custom_resource.py");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the handler was sent, and the method, Content-Type and body of what it sent to the response URL. */
    record Exchange(JsonNode request, String method, String contentType, JsonNode response) {

        String status() {
            return response.path("Status").asText();
        }

        /** An attribute the response gives, read by {@code !GetAtt Resource.Name}. */
        String attribute(String name) {
            return response.path("Data").path(name).asText();
        }
    }

    private record Answer(String method, String contentType, JsonNode body) {
    }

    private InlineCustomResource() {
    }

    /** The Create request of a deploy, its properties resolved from a {@link SamTranslator#resolved} template. */
    static Exchange create(JsonNode resolvedDeployed, String logicalId) {
        return send(resolvedDeployed, logicalId, Map.of());
    }

    /** A request with these fields in place of a Create request's (RequestType, ResourceProperties, ...). */
    static Exchange send(JsonNode resolvedDeployed, String logicalId, Map<String, Object> requestFields) {
        AtomicReference<Answer> answer = new AtomicReference<>();
        HttpServer server = responseUrl(answer);
        try {
            Path deployed = Files.createTempFile("deployed", ".json");
            try {
                Files.writeString(deployed, resolvedDeployed.toString());
                String url = "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort()
                        + "/cloudformation-response?X-Amz-Signature=stand-in";
                JsonNode request = run(deployed, logicalId, url, requestFields);
                Answer response = answer.get();
                if (response == null) {
                    return fail("The handler of " + logicalId + " sent no response to the response URL, so "
                            + "CloudFormation would wait for the custom resource's ServiceTimeout");
                }
                return new Exchange(request, response.method(), response.contentType(), response.body());
            } finally {
                Files.deleteIfExists(deployed);
            }
        } catch (IOException e) {
            return fail("python3 could not run the custom resource handler: " + e.getMessage());
        } finally {
            server.stop(0);
        }
    }

    private static HttpServer responseUrl(AtomicReference<Answer> answer) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", http -> {
                try (http) {
                    JsonNode body = JSON.readTree(http.getRequestBody().readAllBytes());
                    answer.set(new Answer(http.getRequestMethod(),
                            http.getRequestHeaders().getFirst("Content-Type"), body));
                    http.sendResponseHeaders(200, -1);
                }
            });
            server.start();
            return server;
        } catch (IOException e) {
            return fail("No local server for the response URL: " + e.getMessage());
        }
    }

    private static JsonNode run(Path deployed, String logicalId, String url, Map<String, Object> requestFields)
            throws IOException {
        Path output = Files.createTempFile("custom-resource", ".json");
        try {
            Process process = new ProcessBuilder("python3", SCRIPT.toString(), deployed.toString(), logicalId, url,
                    JSON.writeValueAsString(requestFields))
                    .redirectOutput(output.toFile())
                    .redirectError(ProcessBuilder.Redirect.PIPE)
                    .start();
            String errors = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(1, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                return fail("The handler of " + logicalId + " did not finish within a minute");
            }
            if (process.exitValue() != 0) {
                return fail("The handler of " + logicalId + " failed: " + errors);
            }
            return JSON.readTree(output.toFile());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("Interrupted while the handler of " + logicalId + " ran");
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
