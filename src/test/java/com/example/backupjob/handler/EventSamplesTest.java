package com.example.backupjob.handler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every sample in events/ is what its name says: an event that aws-lambda-java-tests' EventLoader reads into its
 * official Lambda type with every field known and every field Lambda always sends present, or a plain request,
 * which has no Lambda type and must not look like an event.
 */
class EventSamplesTest {

    private static final Path EVENTS = Path.of("events");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a sample is, and the Lambda event type it must load into. */
    private enum Kind {
        SQS_EVENT(SQSEvent.class),
        // The library's type for any EventBridge event, scheduled or not (detail-type, source and detail are free).
        EVENTBRIDGE_EVENT(ScheduledEvent.class),
        PLAIN_REQUEST(null);

        final Class<?> type;

        Kind(Class<?> type) {
            this.type = type;
        }
    }

    /** A sample's kind, by how its file name starts; a sample whose name starts with none of these fails. */
    private static final Map<String, Kind> KINDS = Map.of(
            "sqs-", Kind.SQS_EVENT,
            "eventbridge-", Kind.EVENTBRIDGE_EVENT,
            "scheduled-", Kind.EVENTBRIDGE_EVENT,
            "backup-job-state-change-", Kind.EVENTBRIDGE_EVENT,
            "copy-job-state-change-", Kind.EVENTBRIDGE_EVENT,
            "scheduler-input", Kind.PLAIN_REQUEST,
            "step-functions-input", Kind.PLAIN_REQUEST,
            "invalid-", Kind.PLAIN_REQUEST,
            "selection-eventbridge-", Kind.EVENTBRIDGE_EVENT,
            "selection-scheduler-input", Kind.PLAIN_REQUEST);

    static Stream<String> samples() throws IOException {
        try (Stream<Path> files = Files.list(EVENTS)) {
            return files.map(file -> file.getFileName().toString()).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void everySampleIsTheKindOfEventItsNameSays(String sample) {
        assertIsA(kindOf(sample), EVENTS.resolve(sample));
    }

    @Test
    void aSampleWhoseNameStartsWithNoKnownPrefixFails() {
        assertThatThrownBy(() -> kindOf("unheard-of-kind.json"))
                .hasMessageContaining("add its prefix to EventSamplesTest.KINDS");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "a field Lambda does not send   | sqs-batch.json         | SQS_EVENT         | eventSourceARN | eventSourceArn"
                + " | eventSourceArn",
        "a body edited after its digest | sqs-batch.json         | SQS_EVENT         | table/invoices | table/payments"
                + " | md5OfBody",
        "no account                     | eventbridge-event.json | EVENTBRIDGE_EVENT | '\"account\": \"123456789012\",'"
                + " | '' | account"})
    void aSampleThatIsNoRealEventFailsNamingWhy(String change, String original, Kind kind, String from, String to,
            String named, @TempDir Path directory) throws IOException {
        // given a sample changed so that Lambda would never send it
        Path sample = directory.resolve(original);
        Files.writeString(sample, Files.readString(EVENTS.resolve(original)).replace(from, to));

        // when checked, then
        assertThatThrownBy(() -> assertIsA(kind, sample)).hasMessageContaining(named);
    }

    @Test
    void aPlainRequestSampleThatIsAnEventIsNoPlainRequest() {
        assertThatThrownBy(() -> assertIsA(Kind.PLAIN_REQUEST, EVENTS.resolve("scheduled-rule.json")))
                .hasMessageContaining("detail-type");
    }

    private static Kind kindOf(String sample) {
        List<Kind> kinds = KINDS.entrySet().stream().filter(prefix -> sample.startsWith(prefix.getKey()))
                .map(Map.Entry::getValue).toList();
        assertThat(kinds).as("the kind of events/%s: name it after its kind (sqs-*, eventbridge-*, ...) or add "
                + "its prefix to EventSamplesTest.KINDS", sample).hasSize(1);
        return kinds.getFirst();
    }

    private static void assertIsA(Kind kind, Path sample) {
        JsonNode json = read(sample);
        if (kind == Kind.PLAIN_REQUEST) {
            assertThat(json.isObject()).as("%s is a JSON object", sample).isTrue();
            assertThat(json.properties()).as("%s, a plain request, has none of an event's envelope", sample)
                    .extracting(Map.Entry::getKey).doesNotContain("Records", "detail-type", "detail");
            return;
        }
        Object event = EventLoader.loadEvent(sample.toString(), kind.type);
        ObjectNode written = asWritten(event);
        if (json.has("time") && written.has("time") && Instant.parse(json.get("time").textValue())
                .equals(Instant.parse(written.get("time").textValue()))) {
            // The type writes an EventBridge time with milliseconds: the same instant is the same time.
            written.set("time", json.get("time"));
        }
        assertThat(written).as("%s as %s reads and writes it: a field it does not know is lost",
                sample, kind.type.getSimpleName()).isEqualTo(json);
        switch (event) {
            case SQSEvent sqs -> sqs.getRecords().forEach(record -> assertIsSqsMessage(record, sample));
            case ScheduledEvent eventBridge -> assertIsEventBridgeEvent(eventBridge, sample.toString());
            default -> throw new AssertionError("No checks for " + event.getClass());
        }
    }

    private static void assertIsSqsMessage(SQSEvent.SQSMessage record, Path sample) {
        String what = sample + " record " + record.getMessageId();
        assertThat(record).as(what).hasNoNullFieldsOrPropertiesExcept("md5OfMessageAttributes");
        assertThat(record.getEventSource()).as(what + " eventSource").isEqualTo("aws:sqs");
        assertThat(record.getMd5OfBody()).as(what + " md5OfBody, the MD5 of its body").isEqualTo(md5(record.getBody()));
        JsonNode body = parseOrNull(record.getBody());
        if (body != null && body.has("detail-type")) {
            // An EventBridge rule sends the whole event to the queue.
            assertIsEventBridgeEvent(LambdaEventSerializers.serializerFor(ScheduledEvent.class,
                    ScheduledEvent.class.getClassLoader()).fromJson(record.getBody()), what + " body");
        }
    }

    private static void assertIsEventBridgeEvent(ScheduledEvent event, String what) {
        assertThat(event).as(what).hasNoNullFieldsOrProperties();
        assertThat(event.getVersion()).as(what + " version").isEqualTo("0");
    }

    /** The event as the Lambda runtime's serializer for its type writes it, read back as a JSON tree. */
    private static ObjectNode asWritten(Object event) {
        @SuppressWarnings("unchecked")
        Class<Object> type = (Class<Object>) event.getClass();
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        LambdaEventSerializers.serializerFor(type, type.getClassLoader()).toJson(event, written);
        return (ObjectNode) parseOrNull(written.toString(StandardCharsets.UTF_8));
    }

    private static String md5(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode read(Path sample) {
        try {
            return JSON.readTree(sample.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode parseOrNull(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }
}
