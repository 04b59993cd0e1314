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
    void aGenerationRequestCarriesItsControlNetsAndOneWithoutThemReadsAsNone() {
        var control = new ControlRef("canny-cn", Buckets.DATASETS, "owner-a/ds-1/processed/v1/00.png", "canny", 100,
                200, 0.8, 0, 0.8, false);
        var request = new GenerationRequested("gen-2", "sd15", "a dog", null, 20, 7.5, 1L, 1, 512, 512, "ddim", 0,
                List.of(), null, List.of(control));
        Event<GenerationRequested> event = Event.of("gen-2", "owner-a", request);
        assertEquals(event, serde.deserialize(Topics.GENERATION_REQUESTED,
                serde.serialize(Topics.GENERATION_REQUESTED, event)));

        assertEquals(List.of(), olderRequest("").controls());
    }

    @Test
    void aControlUnitWithoutItsImageBucketReadsAsAnImageUploadedWithTheRequest() {
        var read = olderRequest(",\"controls\":[{\"model\":\"c\",\"imageKey\":\"o/g/control0-input.png\","
                + "\"preprocessor\":\"none\",\"lowThreshold\":100,\"highThreshold\":200,\"scale\":1,"
                + "\"guidanceStart\":0,\"guidanceEnd\":1,\"guessMode\":false}]");
        assertEquals(Buckets.GENERATIONS, read.controls().get(0).imageBucket());
    }

    /** A GenerationRequested as a producer older than its ControlNet fields wrote it, {@code more} fields added. */
    private GenerationRequested olderRequest(String more) {
        byte[] old = ("{\"schemaVersion\":1,\"eventId\":\"8d7f7a53-1c11-4f4e-9b57-6f1c2a3a4b5c\","
                + "\"type\":\"GenerationRequested\",\"correlationId\":\"g\",\"ownerId\":\"o\","
                + "\"occurredAt\":\"2026-01-01T00:00:00Z\",\"payload\":{\"generationId\":\"g\","
                + "\"baseModel\":\"sd15\",\"prompt\":\"a dog\",\"steps\":20,\"guidanceScale\":7.5,\"seed\":1,"
                + "\"count\":1,\"width\":512,\"height\":512,\"scheduler\":\"ddim\",\"clipSkip\":0,"
                + "\"loras\":[]" + more + "}}").getBytes(StandardCharsets.UTF_8);
        return (GenerationRequested) serde.deserialize(Topics.GENERATION_REQUESTED, old).payload();
    }

    @Test
    void nextKeepsJobAndOwnerWithAFreshEventId() {
        Event<DatasetIngested> ingested = Event.of("ds-1", "owner-a", new DatasetIngested("ds-1", List.of("k"), null, null, null));
        Event<DatasetRejected> rejected = ingested.next(new DatasetRejected("ds-1", List.of("k: not an image"), null));
        assertEquals("ds-1", rejected.correlationId());
        assertEquals("owner-a", rejected.ownerId());
        assertEquals("DatasetRejected", rejected.type());
        assertNotEquals(ingested.eventId(), rejected.eventId());
        assertEquals(Topics.DATASET_REJECTED, rejected.topic());
    }

    @Test
    void missingRequiredPayloadFieldIsNamed() {
        DatasetReport report = report("ds-1");
        var error = assertThrows(IllegalArgumentException.class, () -> Event.of("ds-1", "o",
                new DatasetReady("ds-1", 1, List.of(new DatasetImage(null, 1, 1, "x", "c")), "k", report)));
        assertEquals("DatasetReady.images[0].key is required", error.getMessage());

        byte[] json = ("{\"schemaVersion\":1,\"eventId\":\"8d7f7a53-1c11-4f4e-9b57-6f1c2a3a4b5c\","
                + "\"type\":\"DatasetRejected\",\"correlationId\":\"ds\",\"ownerId\":\"o\","
                + "\"occurredAt\":\"2026-01-01T00:00:00Z\",\"payload\":{\"datasetId\":\"ds\"}}")
                .getBytes(StandardCharsets.UTF_8);
        var wire = assertThrows(SerializationException.class, () -> serde.deserialize("t", json));
        assertTrue(wire.getMessage().contains("DatasetRejected.problems is required"), wire.getMessage());
    }

    @Test
    void roundTripsADatasetReportWithOptionalFieldsAbsent() {
        Event<DatasetReady> ready = Event.of("ds-1", "o", new DatasetReady("ds-1", 2,
                List.of(new DatasetImage("o/ds-1/processed/v2/00.png", 512, 512, "image/png", "a photo of sks dog")),
                "o/ds-1/report.json", report("ds-1")));
        assertEquals(ready, EventSerde.fromJson(EventSerde.toJson(ready)));
        String json = new String(EventSerde.toJson(ready), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"cropMode\":\"face\""), json);
    }

    private static DatasetReport report(String datasetId) {
        ImageReport image = new ImageReport("rex.zip!a.jpg", "o/" + datasetId + "/raw/00-a.jpg", "jpeg", 1234, 800,
                600, 6, false, null, new CropBox(100, 0, 600, 600), "o/" + datasetId + "/processed/v2/00.png", 512,
                512, 310.5, false, "00ff00ff00ff00ff", null, "a photo of sks dog", "instancePrompt",
                List.of("no face found: centre crop"));
        return new DatasetReport(datasetId, 2, DatasetSettings.DEFAULT, "a photo of sks dog", List.of(image),
                List.of(new RejectedFile("rex.zip!b.jpg", "CORRUPT", "JPEG ends before its end-of-image marker")),
                List.of("only 1 image: 5 or more give better results"), new ReportTotals(2, 1, 1, 1, 0, 0, 0, 0));
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
    void anEventOnAnotherBoothTopicThanItsTypesIsRefusedAndTheDeadLetterTopicReadsAnyType() {
        Event<TrainingFailed> failed = Event.of("t-1", "o", new TrainingFailed("t-1", "CANCELLED", "by user", 12));
        byte[] json = EventSerde.toJson(failed);
        assertEquals(failed, serde.deserialize(Topics.TRAINING_FAILED, json));
        var forged = assertThrows(SerializationException.class,
                () -> serde.deserialize(Topics.GENERATION_REQUESTED, json));
        assertTrue(forged.getMessage().contains("belongs on " + Topics.TRAINING_FAILED), forged.getMessage());
        assertEquals(failed, serde.deserialize(Topics.DEAD_LETTER, json));
        assertEquals(failed, serde.deserialize("another-system.events", json));
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
