package com.example.backupjob.tooling.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Amazon SNS's Publish on WireMock, reached through AWS_ENDPOINT_URL_SNS: the SDK sends it in the AWS query protocol
 * (a form POST to /), and it answers with a new message id, as SNS does, or, when told, with an InternalError (which
 * the SDK retries, then gives up on). It keeps what was published, for a test to read.
 */
public final class SnsStandIn implements AutoCloseable {

    private final WireMockServer server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
    private volatile StubMapping failure;

    private SnsStandIn() {
        server.start();
        server.stubFor(post(urlEqualTo("/")).withRequestBody(containing("Action=Publish"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/xml")
                        .withBody("<PublishResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\">"
                                + "<PublishResult><MessageId>{{randomValue type='UUID'}}</MessageId></PublishResult>"
                                + "<ResponseMetadata><RequestId>{{randomValue type='UUID'}}</RequestId>"
                                + "</ResponseMetadata></PublishResponse>")
                        .withTransformers("response-template")));
    }

    public static SnsStandIn start() {
        return new SnsStandIn();
    }

    public URI endpoint() {
        return URI.create(server.baseUrl());
    }

    /** From now on, Publish fails with InternalError (HTTP 500), on every attempt. */
    public synchronized void failPublishes() {
        if (failure == null) {
            failure = server.stubFor(post(urlEqualTo("/")).atPriority(1)
                    .willReturn(aResponse().withStatus(500).withHeader("Content-Type", "text/xml")
                            .withBody("<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><Error>"
                                    + "<Type>Receiver</Type><Code>InternalError</Code><Message>Internal error"
                                    + "</Message></Error><RequestId>failed</RequestId></ErrorResponse>")));
        }
    }

    /** From now on, Publish succeeds again. */
    public synchronized void acceptPublishes() {
        if (failure != null) {
            server.removeStub(failure);
            failure = null;
        }
    }

    /** Forgets what was published and accepts Publish again. */
    public void reset() {
        acceptPublishes();
        server.resetRequests();
    }

    /** The messages it accepted, in the order they arrived. */
    public List<Published> published() {
        return server.getAllServeEvents().stream()
                .filter(event -> event.getResponse().getStatus() == 200)
                .sorted(Comparator.comparing(event -> event.getRequest().getLoggedDate()))
                .map(ServeEvent::getRequest)
                .map(request -> form(request.getBodyAsString()))
                .map(form -> new Published(form.get("TopicArn"), form.get("Subject"), form.get("Message")))
                .toList();
    }

    /** How many Publish calls it answered with an error. */
    public int failedPublishes() {
        return (int) server.getAllServeEvents().stream()
                .filter(event -> event.getResponse().getStatus() != 200).count();
    }

    @Override
    public void close() {
        server.stop();
    }

    /** One message SNS accepted. */
    public record Published(String topicArn, String subject, String message) {
    }

    private static Map<String, String> form(String body) {
        Map<String, String> fields = new HashMap<>();
        for (String pair : body.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0) {
                fields.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
            }
        }
        return fields;
    }
}
