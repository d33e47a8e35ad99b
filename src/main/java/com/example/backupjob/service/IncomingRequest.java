package com.example.backupjob.service;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One request as delivered, before validation, with the ids its delivery carries (each may be null).
 *
 * @param request the request JSON: a plain request or an EventBridge event's detail
 * @param eventId the EventBridge event's id
 * @param messageId the SQS message id
 */
public record IncomingRequest(JsonNode request, String eventId, String messageId) {
}
