package com.example.backupjob.handler;

import com.example.backupjob.error.ErrorSource;
import com.example.backupjob.error.InvalidRequestException;
import com.example.backupjob.run.Run;
import com.example.backupjob.service.IncomingRequest;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Recognises the event shapes of the contract, in its order: SQS event, EventBridge event, plain request. */
final class EventShapes {

    private static final String SQS_EVENT_SOURCE = "aws:sqs";

    // Strict parsing: a duplicate key or text after the JSON value is an error, never a silently ignored request.
    static final ObjectMapper STRICT_JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final ObjectMapper json;

    EventShapes(ObjectMapper json) {
        this.json = json;
    }

    /** What an invocation carries; {@code invocationId} is its Lambda request id. */
    Invocation classify(JsonNode event, String invocationId) {
        if (event.isObject() && isSqsEvent(event)) {
            return new Invocation.SqsBatch(sqsMessages(event.get("Records")), invocationId);
        }
        return new Invocation.Single(single(event, invocationId));
    }

    /** The request of an event that is not an SQS batch: an EventBridge event's detail, or the object itself. */
    IncomingRequest single(JsonNode event, String invocationId) {
        if (!event.isObject()) {
            throw new InvalidRequestException("The event must be a JSON object");
        }
        return request(event, null, invocationId);
    }

    /** The request in an SQS message body, itself a plain request or an EventBridge event. */
    IncomingRequest request(Invocation.SqsMessage message, String invocationId) {
        if (message.body() == null) {
            throw new InvalidRequestException("The SQS message has no body");
        }
        JsonNode body = parse(message.body());
        if (!body.isObject()) {
            throw new InvalidRequestException("The SQS message body must be a JSON object");
        }
        return request(body, message.messageId(), invocationId);
    }

    /**
     * The fleet run a message belongs to, from the attributes the selection sets on it (SelectionKey, RunDeadline);
     * empty for a message with neither, which is a request of no run.
     *
     * @throws InvalidRequestException when one is missing or malformed; the values are not quoted
     */
    Optional<Run> run(Invocation.SqsMessage message) {
        JsonNode selectionKey = message.messageAttributes().path(Run.SELECTION_KEY_ATTRIBUTE);
        JsonNode deadline = message.messageAttributes().path(Run.DEADLINE_ATTRIBUTE);
        if (selectionKey.isMissingNode() && deadline.isMissingNode()) {
            return Optional.empty();
        }
        String key = selectionKey.path("stringValue").textValue();
        if (key == null || key.isBlank()) {
            throw new InvalidRequestException("messageAttributes." + Run.SELECTION_KEY_ATTRIBUTE
                    + ": must be a non-empty String, as the selection sets it with " + Run.DEADLINE_ATTRIBUTE);
        }
        try {
            long epochSecond = new BigDecimal(deadline.path("stringValue").textValue())
                    .setScale(0, RoundingMode.FLOOR).longValueExact();
            return Optional.of(new Run(key, Instant.ofEpochSecond(epochSecond)));
        } catch (NullPointerException | NumberFormatException | ArithmeticException | DateTimeException e) {
            throw new InvalidRequestException("messageAttributes." + Run.DEADLINE_ATTRIBUTE
                    + ": must be a Number of epoch seconds, as the selection sets it with "
                    + Run.SELECTION_KEY_ATTRIBUTE);
        }
    }

    /** The raw event of an invocation, parsed. */
    JsonNode read(InputStream input) {
        try {
            return parse(new String(input.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new InvalidRequestException(ErrorSource.REQUEST, "The event could not be read: " + e.getMessage(), e);
        }
    }

    JsonNode parse(String text) {
        try {
            return json.readTree(text);
        } catch (JacksonException e) {
            throw new InvalidRequestException("The input is not valid JSON" + whereAndWhy(e));
        }
    }

    /**
     * Where parsing stopped, and why in words of our own or Jackson's where they quote no input: its messages for
     * malformed tokens repeat them, and a malformed tag value must not reach the error or the logs.
     */
    private static String whereAndWhy(JacksonException e) {
        JsonLocation location = e.getLocation();
        String where = location == null || location.getLineNr() < 0 ? ""
                : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
        String reason = e.getOriginalMessage();
        if (e instanceof StreamConstraintsException || reason.startsWith("Duplicate field")) {
            return where + ": " + reason.lines().findFirst().orElse(reason);
        }
        if (reason.startsWith("Unexpected end-of-input")) {
            return where + ": the input ends too early";
        }
        if (reason.startsWith("Trailing token")) {
            return where + ": more text follows the JSON value";
        }
        return where;
    }

    private static IncomingRequest request(JsonNode object, String messageId, String invocationId) {
        if (object.has("detail-type") && object.has("detail")) {
            JsonNode id = object.get("id");
            // The id becomes the request's key and correlation id, in every log line of it.
            if (id != null && (!id.isTextual() || id.textValue().chars().anyMatch(Character::isISOControl))) {
                throw new InvalidRequestException("id: the EventBridge event id must be a string without control "
                        + "characters");
            }
            return new IncomingRequest(object.get("detail"), id == null ? null : id.textValue(), messageId,
                    invocationId);
        }
        return new IncomingRequest(object, null, messageId, invocationId);
    }

    private static boolean isSqsEvent(JsonNode event) {
        JsonNode records = event.get("Records");
        if (records == null || !records.isArray() || records.isEmpty()) {
            return false;
        }
        for (JsonNode record : records) {
            if (!SQS_EVENT_SOURCE.equals(record.path("eventSource").textValue())) {
                return false;
            }
        }
        return true;
    }

    /** Lambda sends ApproximateReceiveCount as a string; a record without one is taken as a first delivery. */
    private static int receiveCount(JsonNode count) {
        try {
            return count.isTextual() ? Math.max(1, Integer.parseInt(count.textValue())) : 1;
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    private static List<Invocation.SqsMessage> sqsMessages(JsonNode records) {
        List<Invocation.SqsMessage> messages = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            JsonNode record = records.get(i);
            JsonNode messageId = record.get("messageId");
            if (messageId == null || !messageId.isTextual() || messageId.textValue().isEmpty()) {
                // Without its id a failed record could not be reported, so the whole batch fails and is retried.
                throw new InvalidRequestException("Records[" + i + "].messageId must be a non-empty string");
            }
            JsonNode body = record.get("body");
            messages.add(new Invocation.SqsMessage(messageId.textValue(),
                    body != null && body.isTextual() ? body.textValue() : null, record.path("messageAttributes"),
                    receiveCount(record.path("attributes").path("ApproximateReceiveCount"))));
        }
        return messages;
    }
}
