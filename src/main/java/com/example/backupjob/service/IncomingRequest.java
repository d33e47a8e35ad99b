package com.example.backupjob.service;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * One request as delivered, before validation, with the ids its delivery carries (each may be null but the last).
 *
 * @param request the request JSON: a plain request or an EventBridge event's detail
 * @param eventId the EventBridge event's id
 * @param messageId the SQS message id
 * @param invocationId the Lambda request id, which Lambda keeps across its own retries of an asynchronous invocation
 */
public record IncomingRequest(JsonNode request, String eventId, String messageId, String invocationId) {

    public IncomingRequest {
        Objects.requireNonNull(invocationId, "invocationId");
    }

    /**
     * The idempotency key, in the contract's order: the caller's token, else the EventBridge event's id, else the SQS
     * message id, else the invocation. Never the request's content: a rule or schedule with a fixed input fires the
     * same request every time, and each firing is a new backup.
     */
    public String idempotencyKey(String callerToken) {
        return Stream.of(callerToken, eventId, messageId).filter(Objects::nonNull).findFirst().orElse(invocationId);
    }
}
