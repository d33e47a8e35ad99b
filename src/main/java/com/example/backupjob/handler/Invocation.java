package com.example.backupjob.handler;

import com.example.backupjob.service.IncomingRequest;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** What one invocation carries: a single request (plain or EventBridge) or a batch of SQS messages. */
sealed interface Invocation {

    /** A plain request or an EventBridge event's detail. */
    record Single(IncomingRequest request) implements Invocation {
    }

    /** The messages of an SQS event, each to be processed and reported on its own, and the invocation's id. */
    record SqsBatch(List<SqsMessage> messages, String invocationId) implements Invocation {
    }

    /**
     * One SQS message: its id, reported back when it fails; its body and message attributes, parsed only when
     * processed; and how many times SQS has delivered it (ApproximateReceiveCount, 1 when the record does not say).
     */
    record SqsMessage(String messageId, String body, JsonNode messageAttributes, int receiveCount) {
    }
}
