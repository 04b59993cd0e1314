package ai.booth.contracts;

import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EventSerdeTest {

    private final EventSerde serde = new EventSerde();

    @Test
    void roundTripsNestedPayloads() {
        var request = new GenerationRequested("gen-1", "sd15", "a photo of sks dog on the moon", null, 30, 7.5,
                42L, 4, 512, 512, "ddim", 0, List.of(new LoraRef("owner/t1/adapter.safetensors", 0.8, 0.5)),
                new GridSpec(new GridAxis("seed", List.of("1", "2")), new GridAxis("unetScale", List.of("0.5", "1"))));
        Event<GenerationRequested> event = Event.of("gen-1", "owner-a", request);

        byte[] json = serde.serialize(Topics.GENERATION_REQUESTED, event);
        Event<?> back = serde.deserialize(Topics.GENERATION_REQUESTED, json);

        assertEquals(event, back);
        assertEquals(Topics.GENERATION_REQUESTED, back.topic());
        String text = new String(json, StandardCharsets.UTF_8);
        assertTrue(text.contains("\"type\":\"GenerationRequested\""), text);
        assertTrue(text.contains("\"occurredAt\":\"20"), "timestamps are ISO-8601 text: " + text);
    }

    @Test
    void nextKeepsJobAndOwnerWithAFreshEventId() {
        Event<DatasetIngested> ingested = Event.of("ds-1", "owner-a", new DatasetIngested("ds-1", List.of("k"), null));
        Event<DatasetRejected> rejected = ingested.next(new DatasetRejected("ds-1", List.of("k: not an image")));
        assertEquals("ds-1", rejected.correlationId());
        assertEquals("owner-a", rejected.ownerId());
        assertEquals("DatasetRejected", rejected.type());
        assertNotEquals(ingested.eventId(), rejected.eventId());
        assertEquals(Topics.DATASET_REJECTED, rejected.topic());
    }

    @Test
    void missingRequiredPayloadFieldIsNamed() {
        var error = assertThrows(IllegalArgumentException.class,
                () -> Event.of("ds-1", "o", new DatasetReady("ds-1", List.of(new DatasetImage(null, 1, 1, "x")))));
        assertEquals("DatasetReady.images[0].key is required", error.getMessage());

        byte[] json = ("{\"schemaVersion\":1,\"eventId\":\"8d7f7a53-1c11-4f4e-9b57-6f1c2a3a4b5c\","
                + "\"type\":\"DatasetRejected\",\"correlationId\":\"ds\",\"ownerId\":\"o\","
                + "\"occurredAt\":\"2026-01-01T00:00:00Z\",\"payload\":{\"datasetId\":\"ds\"}}")
                .getBytes(StandardCharsets.UTF_8);
        var wire = assertThrows(SerializationException.class, () -> serde.deserialize("t", json));
        assertTrue(wire.getMessage().contains("DatasetRejected.problems is required"), wire.getMessage());
    }

    @Test
    void refusesUnknownTypesAndNewerSchemaVersions() {
        String template = "{\"schemaVersion\":%d,\"eventId\":\"8d7f7a53-1c11-4f4e-9b57-6f1c2a3a4b5c\","
                + "\"type\":\"%s\",\"correlationId\":\"c\",\"ownerId\":\"o\","
                + "\"occurredAt\":\"2026-01-01T00:00:00Z\",\"payload\":{}}";
        var unknown = assertThrows(SerializationException.class,
                () -> serde.deserialize("t", String.format(template, 1, "Nope").getBytes(StandardCharsets.UTF_8)));
        assertTrue(unknown.getMessage().contains("unknown event type 'Nope'"), unknown.getMessage());
        var newer = assertThrows(SerializationException.class, () -> serde.deserialize("t",
                String.format(template, Event.SCHEMA_VERSION + 1, "DatasetReady").getBytes(StandardCharsets.UTF_8)));
        assertTrue(newer.getMessage().contains("schemaVersion " + (Event.SCHEMA_VERSION + 1)), newer.getMessage());
    }

    @Test
    void ignoresUnknownFieldsForForwardCompatibility() {
        Event<TrainingFailed> event = Event.of("t-1", "o", new TrainingFailed("t-1", "CANCELLED", "by user", 12));
        String json = new String(EventSerde.toJson(event), StandardCharsets.UTF_8)
                .replace("\"code\":", "\"retryable\":false,\"code\":");
        assertEquals(event, EventSerde.fromJson(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void keysRefuseSegmentsThatEscapeTheirPrefix() {
        assertEquals("o/ds/raw/a.png", Buckets.datasetRawKey("o", "ds", "a.png"));
        assertThrows(IllegalArgumentException.class, () -> Buckets.datasetRawKey("o/../x", "ds", "a.png"));
        assertThrows(IllegalArgumentException.class, () -> Buckets.datasetStagingKey("o", "..", "a.png"));
    }
}
