package ai.booth.service;

import ai.booth.contracts.EventSerde;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.DeserializationFailureHandler;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UnreadableRecordsTest {

    private final UnreadableRecords handler = new UnreadableRecords();

    @Test
    void aSmallUnreadableRecordIsMarkedForTheDeadLetterTopicWhole() {
        byte[] data = "{ not json".getBytes(StandardCharsets.UTF_8);
        Headers headers = new RecordHeaders();
        assertNull(read(data, headers));
        assertNotNull(headers.lastHeader(DeserializationFailureHandler.DESERIALIZATION_FAILURE_DLQ));
        assertNotNull(headers.lastHeader(DeserializationFailureHandler.DESERIALIZATION_FAILURE_REASON));
        assertArrayEquals(data, headers.lastHeader(DeserializationFailureHandler.DESERIALIZATION_FAILURE_DATA).value());
        assertNull(headers.lastHeader(UnreadableRecords.ORIGINAL_SIZE));
    }

    @Test
    void aHugeUnreadableRecordKeepsItsFirstBytesAndSaysItsSizeSoItsDeadLetterFitsKafkasRecordLimit() {
        byte[] data = new byte[900_000];
        Arrays.fill(data, (byte) 'x');
        Headers headers = new RecordHeaders();
        assertNull(read(data, headers));
        byte[] kept = headers.lastHeader(DeserializationFailureHandler.DESERIALIZATION_FAILURE_DATA).value();
        assertEquals(UnreadableRecords.KEPT_BYTES, kept.length);
        assertEquals("900000", new String(headers.lastHeader(UnreadableRecords.ORIGINAL_SIZE).value(),
                StandardCharsets.UTF_8));
        int headerBytes = StreamSupport.stream(headers.spliterator(), false)
                .mapToInt(h -> h.key().length() + h.value().length).sum();
        assertTrue(UnreadableRecords.KEPT_BYTES + headerBytes < 1_000_000,
                "SmallRye's dead letter (the kept value plus these headers) stays under Kafka's default 1 MB per record");
    }

    private Object read(byte[] data, Headers headers) {
        return handler.decorateDeserialization(Uni.createFrom().item(() -> EventSerde.fromJson(data)),
                "booth.generation.requested", false, EventSerde.class.getName(), data, headers);
    }
}
