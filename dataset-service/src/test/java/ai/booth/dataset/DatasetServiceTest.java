package ai.booth.dataset;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.DatasetImage;
import ai.booth.contracts.DatasetIngested;
import ai.booth.contracts.DatasetReady;
import ai.booth.contracts.DatasetRejected;
import ai.booth.contracts.DatasetReport;
import ai.booth.contracts.DatasetReprocessRequested;
import ai.booth.contracts.DatasetSettings;
import ai.booth.contracts.Event;
import ai.booth.contracts.ImageReport;
import ai.booth.dataset.processing.MixedPhotos;
import ai.booth.dataset.processing.Photos;
import ai.booth.service.ObjectStore;
import ai.booth.testing.BoothInfraResource;
import ai.booth.testing.EventProbe;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.imgcodecs.Imgcodecs;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** dataset-service through the real Kafka broker and S3 server. */
@QuarkusTest
@WithTestResource(value = BoothInfraResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class DatasetServiceTest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String PROMPT = "a photo of sks person";

    @Inject
    ObjectStore store;

    @Inject
    ObjectMapper json;

    @Test
    void aZipOfMixedPhotosBecomesA512TrainingSetWithCaptionsAndAReport() throws Exception {
        try (EventProbe probe = EventProbe.forApplication()) {
            String datasetId = UUID.randomUUID().toString();
            String zipKey = stage("alice", datasetId, "00-photos.zip", MixedPhotos.zip());
            probe.publish(Event.of(datasetId, "alice", new DatasetIngested(datasetId, List.of(zipKey), "me", PROMPT,
                    null)));
            DatasetReady ready = probe.await(DatasetReady.class, datasetId, WAIT).payload();

            assertEquals(1, ready.version());
            assertEquals(4, ready.images().size(), "5 photos accepted, 1 near-duplicate left out");
            for (DatasetImage image : ready.images()) {
                Mat png = Imgcodecs.imdecode(new MatOfByte(store.get(Buckets.DATASETS, image.key())),
                        Imgcodecs.IMREAD_UNCHANGED);
                assertEquals(512, png.cols(), image.key());
                assertEquals(512, png.rows(), image.key());
                assertEquals(image.caption(), new String(store.get(Buckets.DATASETS,
                        image.key().replace(".png", ".txt")), StandardCharsets.UTF_8));
            }
            assertTrue(ready.images().stream().anyMatch(i -> i.caption().equals(MixedPhotos.LANDSCAPE_CAPTION)));
            assertTrue(ready.images().stream().anyMatch(i -> i.caption().equals(PROMPT)));

            DatasetReport report = ready.report();
            assertEquals(report, json.readValue(store.get(Buckets.DATASETS, ready.reportKey()), DatasetReport.class),
                    "the stored report is the one in the event");
            assertEquals(List.of("00-photos.zip!corrupt.jpg CORRUPT"),
                    report.rejected().stream().map(r -> r.source() + " " + r.reason()).toList());
            assertEquals(List.of("00-photos.zip!landscape.jpg", "00-photos.zip!landscape-again.jpg"),
                    report.images().stream().filter(i -> i.duplicateGroup() != null).map(ImageReport::source)
                            .toList());
            assertEquals(6, report.images().stream().filter(i -> i.source().endsWith("sideways.jpg")).findFirst()
                    .orElseThrow().exifOrientation());

            List<String> keys = store.list(Buckets.DATASETS, Buckets.datasetPrefix("alice", datasetId));
            assertEquals(5, keys.stream().filter(k -> k.contains("/raw/")).count(), keys.toString());
            assertEquals(8, keys.stream().filter(k -> k.contains("/processed/v1/")).count(), keys.toString());
            assertFalse(keys.contains(zipKey), "the staged upload is removed");
            assertEquals(5 + 8 + 1, keys.size(), keys.toString());

            probe.publish(Event.of(datasetId, "alice", new DatasetReprocessRequested(datasetId,
                    new DatasetSettings("centre", 256, false, false), null)));
            DatasetReady second = probe.<DatasetReady>await(DatasetReady.class,
                    event -> event.correlationId().equals(datasetId)
                            && ((DatasetReady) event.payload()).version() == 2, WAIT).payload();
            assertEquals(5, second.images().size(), "duplicates kept on request");
            for (DatasetImage image : second.images()) {
                assertTrue(image.key().startsWith(Buckets.datasetProcessedPrefix("alice", datasetId, 2)));
                assertEquals(256, image.width());
                assertTrue(store.exists(Buckets.DATASETS, image.key()), image.key());
            }
            assertEquals(2, json.readValue(store.get(Buckets.DATASETS, second.reportKey()), DatasetReport.class)
                    .version());
            assertTrue(store.exists(Buckets.DATASETS, ready.images().get(0).key()), "version 1 stays readable");
        }
    }

    @Test
    void aRejectedUploadLeavesOnlyItsRejectionBehind() throws Exception {
        try (EventProbe probe = EventProbe.forApplication()) {
            String datasetId = UUID.randomUUID().toString();
            List<String> staged = List.of(
                    stage("bob", datasetId, "00-notes.jpg", "not a photo".getBytes(StandardCharsets.UTF_8)),
                    stage("bob", datasetId, "01-cut.jpg", Photos.bytes("truncated.jpg")),
                    stage("bob", datasetId, "02-bomb.png", Photos.pngClaiming(50_000, 50_000)),
                    stage("bob", datasetId, "03-tiny.jpg", Photos.jpeg(Photos.photo("rocket.jpg", 300, 200))),
                    Buckets.datasetStagingKey("eve", datasetId, "04-x.png"));
            probe.publish(Event.of(datasetId, "bob", new DatasetIngested(datasetId, staged, null, PROMPT, null)));
            DatasetRejected rejected = probe.await(DatasetRejected.class, datasetId, WAIT).payload();

            List<String> problems = rejected.problems();
            assertEquals(6, problems.size(), problems.toString());
            assertTrue(problems.get(0).startsWith("eve/" + datasetId + "/staging/04-x.png: UNSAFE_PATH"),
                    problems.get(0));
            assertTrue(problems.get(1).startsWith("00-notes.jpg: NOT_AN_IMAGE"), problems.get(1));
            assertTrue(problems.get(2).startsWith("01-cut.jpg: CORRUPT"), problems.get(2));
            assertTrue(problems.get(3).startsWith("02-bomb.png: DECOMPRESSION_BOMB"), problems.get(3));
            assertTrue(problems.get(4).startsWith("03-tiny.jpg: TOO_SMALL"), problems.get(4));
            assertEquals(4 + 1, rejected.report().totals().rejected());
            // the result is announced before the staged upload is removed (a redelivery must still find it)
            await().atMost(WAIT).untilAsserted(() -> assertEquals(List.of(Buckets.datasetRejectionKey("bob",
                    datasetId)), store.list(Buckets.DATASETS, Buckets.datasetPrefix("bob", datasetId)),
                    "no file of a rejected upload is left in the bucket, only its answer"));
            assertEquals(rejected, json.readValue(store.get(Buckets.DATASETS, Buckets.datasetRejectionKey("bob",
                    datasetId)), DatasetRejected.class));
        }
    }

    @Test
    void reprocessingAnUnknownDatasetIsRejected() throws Exception {
        try (EventProbe probe = EventProbe.forApplication()) {
            String datasetId = UUID.randomUUID().toString();
            probe.publish(Event.of(datasetId, "carol", new DatasetReprocessRequested(datasetId,
                    DatasetSettings.DEFAULT, null)));
            DatasetRejected rejected = probe.await(DatasetRejected.class, datasetId, WAIT).payload();
            assertTrue(rejected.problems().get(0).contains("has no processed version"), rejected.problems().get(0));
        }
    }

    private String stage(String owner, String datasetId, String fileName, byte[] content) {
        String key = Buckets.datasetStagingKey(owner, datasetId, fileName);
        store.put(Buckets.DATASETS, key, content, "application/octet-stream");
        return key;
    }
}
