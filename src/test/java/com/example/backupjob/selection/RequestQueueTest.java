package com.example.backupjob.selection;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;

/**
 * How the requests are cut into SendMessageBatch calls. Tested here, on the batching itself, because ElasticMQ does
 * not enforce SQS's batch payload limit as SQS does (it counts the bodies' UTF-16 characters, not their bytes);
 * SelectionTest sends such a batch through SqsFaultProxy, which refuses what SQS refuses.
 */
class RequestQueueTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, MessageAttributeValue> ATTRIBUTES =
            RequestQueue.runAttributes("2026-12-01-nightly", Instant.parse("2026-12-01T14:00:00Z"));

    @Test
    void tenBodiesWithFiftyLongMultiByteTagsAreSplitIntoBatchesWithinThePayloadLimit() throws Exception {
        // given: ten bodies of about 58 KB each
        String tags = SelectionTest.longMultiByteTags();
        List<String> bodies = IntStream.range(0, 10).mapToObj(i -> body(i, tags)).toList();
        assertThat(bytes(bodies.getFirst())).isBetween(55_000L, 60_000L);

        // when
        List<List<String>> batches = RequestQueue.batches(bodies, ATTRIBUTES);

        // then
        assertThat(batches).hasSizeGreaterThan(2).allSatisfy(batch -> {
            assertThat(batch).hasSizeBetween(1, RequestQueue.MAX_ENTRIES);
            // As SQS counts a message: its body and each attribute's name, type and value.
            long attributes = ATTRIBUTES.entrySet().stream().mapToLong(attribute -> bytes(attribute.getKey())
                    + bytes(attribute.getValue().dataType()) + bytes(attribute.getValue().stringValue())).sum();
            assertThat(batch.stream().mapToLong(body -> bytes(body) + attributes).sum())
                    .isLessThanOrEqualTo(RequestQueue.MAX_BATCH_BYTES);
        });
        assertThat(batches.stream().flatMap(List::stream).toList()).isEqualTo(bodies);
    }

    @Test
    void smallBodiesGoTenToABatch() {
        List<String> bodies = IntStream.range(0, 25).mapToObj(i -> "{\"ResourceArn\": \"arn:aws:s3:::b-" + i + "\"}")
                .toList();

        assertThat(RequestQueue.batches(bodies, ATTRIBUTES)).extracting(List::size).containsExactly(10, 10, 5);
    }

    @Test
    void aBodyLargerThanTheLimitGoesAloneSoThatSqsRefusesItRatherThanItBeingLost() {
        String large = "x".repeat(RequestQueue.MAX_BATCH_BYTES + 1);

        assertThat(RequestQueue.batches(List.of("{}", large, "{}"), ATTRIBUTES)).extracting(List::size).containsExactly(1, 1, 1);
    }

    private static String body(int i, String tags) {
        try {
            return JSON.writeValueAsString(Map.of("ResourceArn", "arn:aws:dynamodb:eu-west-1:123456789012:table/t-" + i,
                    "RecoveryPointTags", JSON.readTree(tags)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static long bytes(String body) {
        return body.getBytes(StandardCharsets.UTF_8).length;
    }
}
