package com.example.backupjob.tooling.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local Resource Groups Tagging API serving GetResources (awsJson1_1: POST / with its X-Amz-Target), on WireMock.
 * It matches the resources it holds as the service documents: every TagFilter key present with one of its values,
 * and a ResourceTypeFilter ({@code service} or {@code service:type}) when given; it pages them by ResourcesPerPage
 * with a PaginationToken, and can answer an error (ThrottledException, AccessDeniedException...) for a number of
 * calls first. Its tokens can expire, as the service's do after 15 minutes (PaginationTokenExpiredException).
 */
public final class TaggingStandIn implements AutoCloseable {

    public static final String GET_RESOURCES = "ResourceGroupsTaggingAPI_20170126.GetResources";
    private static final String TRANSFORMER = "get-resources";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Resource> resources = new CopyOnWriteArrayList<>();
    /** The resources each set of filters matches, so that paging through 100,000 of them does not match them anew. */
    private final Map<String, List<Resource>> matchingByFilters = new ConcurrentHashMap<>();
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private volatile JsonNode failure;
    private volatile int failureStatus;
    private volatile int latencyMillis;
    private volatile Runnable beforeEachAnswer = () -> { };
    /** Tokens handed out before the current generation have expired. */
    private final AtomicInteger tokenGeneration = new AtomicInteger();
    private final WireMockServer server;

    /** A taggable resource: its ARN and tags. */
    public record Resource(String arn, Map<String, String> tags) {
    }

    private TaggingStandIn() {
        server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort()
                .extensions(new GetResources()));
        server.start();
        stub();
    }

    public static TaggingStandIn start() {
        return new TaggingStandIn();
    }

    public URI endpoint() {
        return URI.create(server.baseUrl());
    }

    /** Forgets the resources, the requests and any throttling. */
    public void reset() {
        server.resetAll();
        stub();
        resources.clear();
        matchingByFilters.clear();
        failuresLeft.set(0);
        beforeEachAnswer = () -> { };
        tokenGeneration.set(0);
        latencyMillis = 0;
    }

    /** Every PaginationToken handed out so far has expired; those handed out from now on are valid. */
    public void expireTokens() {
        tokenGeneration.incrementAndGet();
    }

    public void hold(List<Resource> held) {
        resources.addAll(held);
        matchingByFilters.clear();
    }

    /** The next {@code calls} GetResources calls are throttled, as the service does past its request rate. */
    public void throttle(int calls) {
        failNext(calls, 400, "ThrottledException");
    }

    /** The next {@code calls} GetResources calls fail with this status and error code. */
    public void failNext(int calls, int status, String code) {
        failure = JSON.createObjectNode().put("__type", code).put("Message", "Refused by TaggingStandIn");
        failureStatus = status;
        failuresLeft.set(calls);
    }

    /** Each page is answered after this delay, as the service takes its time (benchmarks only). */
    public void answerAfter(java.time.Duration latency) {
        latencyMillis = Math.toIntExact(latency.toMillis());
    }

    /** Runs before each GetResources call is answered, e.g. to see what the caller had done by then. */
    public void beforeEachAnswer(Runnable action) {
        beforeEachAnswer = action;
    }

    /** The GetResources requests received, their bodies parsed. */
    public List<JsonNode> requests() {
        return server.findAll(postRequestedFor(urlEqualTo("/"))).stream()
                .map(LoggedRequest::getBodyAsString)
                .map(TaggingStandIn::parse)
                .toList();
    }

    @Override
    public void close() {
        server.stop();
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void stub() {
        server.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(GET_RESOURCES))
                .willReturn(aResponse().withTransformers(TRANSFORMER)));
    }

    /** Answers one GetResources call from the resources held. */
    private final class GetResources implements ResponseDefinitionTransformerV2 {

        @Override
        public ResponseDefinition transform(ServeEvent serveEvent) {
            beforeEachAnswer.run();
            if (failuresLeft.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
                return answer(failureStatus, failure);
            }
            JsonNode request = parse(serveEvent.getRequest().getBodyAsString());
            List<Resource> matching = matchingByFilters.computeIfAbsent(
                    request.path("TagFilters") + " " + request.path("ResourceTypeFilters"),
                    filters -> resources.stream().filter(resource -> matches(resource, request)).toList());
            int pageSize = request.path("ResourcesPerPage").asInt(50);
            String token = request.path("PaginationToken").asText("");
            String[] position = token.isEmpty() ? new String[] {"page-0"} : token.split("~g");
            int generation = position.length > 1 ? Integer.parseInt(position[1]) : 0;
            if (!token.isEmpty() && generation < tokenGeneration.get()) {
                return answer(400, JSON.createObjectNode().put("__type", "PaginationTokenExpiredException")
                        .put("Message", "A PaginationToken is valid for a maximum of 15 minutes."));
            }
            int from = Integer.parseInt(position[0].substring("page-".length()));
            int to = Math.min(from + pageSize, matching.size());
            int current = tokenGeneration.get();
            String next = to < matching.size() ? "page-" + to + (current == 0 ? "" : "~g" + current) : "";
            ObjectNode response = JSON.createObjectNode().put("PaginationToken", next);
            ArrayNode list = response.putArray("ResourceTagMappingList");
            for (Resource resource : matching.subList(from, to)) {
                ObjectNode mapping = list.addObject().put("ResourceARN", resource.arn());
                ArrayNode tags = mapping.putArray("Tags");
                resource.tags().forEach((key, value) -> tags.addObject().put("Key", key).put("Value", value));
            }
            return answer(200, response);
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public String getName() {
            return TRANSFORMER;
        }

        private static boolean matches(Resource resource, JsonNode request) {
            for (JsonNode filter : request.path("TagFilters")) {
                String value = resource.tags().get(filter.path("Key").asText());
                List<String> values = new ArrayList<>();
                filter.path("Values").forEach(v -> values.add(v.asText()));
                if (value == null || !values.isEmpty() && !values.contains(value)) {
                    return false;
                }
            }
            JsonNode types = request.path("ResourceTypeFilters");
            if (types.isEmpty()) {
                return true;
            }
            String[] arn = resource.arn().split(":", 6);
            String type = arn[2] + ":" + arn[5].split("[/:]", 2)[0];
            for (JsonNode filter : types) {
                if (filter.asText().equals(arn[2]) || filter.asText().equals(type)) {
                    return true;
                }
            }
            return false;
        }

        private ResponseDefinition answer(int status, JsonNode body) {
            return ResponseDefinitionBuilder.responseDefinition()
                    .withStatus(status)
                    .withHeader("Content-Type", "application/x-amz-json-1.1")
                    .withBody(body.toString())
                    .withFixedDelay(latencyMillis == 0 ? null : latencyMillis)
                    .build();
        }
    }
}
