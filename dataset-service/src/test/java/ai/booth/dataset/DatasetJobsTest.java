package ai.booth.dataset;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.DatasetIngested;
import ai.booth.contracts.DatasetReady;
import ai.booth.contracts.DatasetRejected;
import ai.booth.contracts.DatasetReprocessRequested;
import ai.booth.contracts.DatasetSettings;
import ai.booth.contracts.Event;
import ai.booth.contracts.Payload;
import ai.booth.dataset.processing.Photos;
import ai.booth.service.ObjectStore;
import ai.booth.testing.BoothInfraResource;
import ai.booth.testing.EventProbe;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every request ends with a terminal event, also when it arrives again after its job ended (Kafka delivers at least
 * once, and {@code SeenEvents} forgets on restart: a new event id here is such a redelivery) and when the job fails.
 * Through the real Kafka broker and S3 server.
 */
@QuarkusTest
@WithTestResource(value = BoothInfraResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class DatasetJobsTest {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String PROMPT = "a photo of sks rocket";

    @Inject
    ObjectStore store;

    @Test
    void aRedeliveredUploadOfAReadyDatasetIsAnsweredWithTheSameReadyWithoutProcessingItAgain() throws Exception {
        try (EventProbe probe = EventProbe.forApplication()) {
            String datasetId = UUID.randomUUID().toString();
            DatasetIngested upload = new DatasetIngested(datasetId, List.of(
                    stage("dora", datasetId, "00-rocket.jpg", Photos.jpeg(Photos.photo("rocket.jpg", 800, 600)))),
                    null, PROMPT, new DatasetSettings("centre", 256, false, true));
            probe.publish(Event.of(datasetId, "dora", upload));
            DatasetReady first = probe.await(DatasetReady.class, datasetId, WAIT).payload();
            String reportKey = Buckets.datasetReportKey("dora", datasetId);
            String reportTag = store.stat(Buckets.DATASETS, reportKey).orElseThrow().etag();
            List<String> keys = store.list(Buckets.DATASETS, Buckets.datasetPrefix("dora", datasetId));

            Event<DatasetIngested> again = Event.of(datasetId, "dora", upload);
            probe.publish(again);
            DatasetReady second = secondAnswer(probe, DatasetReady.class, datasetId);

            assertEquals(first, second, "the same outcome, announced again");
            assertEquals(reportTag, store.stat(Buckets.DATASETS, reportKey).orElseThrow().etag(),
                    "the report is not written again: the dataset was not processed again");
            assertEquals(keys, store.list(Buckets.DATASETS, Buckets.datasetPrefix("dora", datasetId)));
        }
    }

    @Test
    void aRedeliveredRejectedUploadIsAnsweredWithTheSameRejection() throws Exception {
        try (EventProbe probe = EventProbe.forApplication()) {
            String datasetId = UUID.randomUUID().toString();
            DatasetIngested upload = new DatasetIngested(datasetId, List.of(stage("erin", datasetId, "00-notes.jpg",
                    "not a photo".getBytes(StandardCharsets.UTF_8))), null, PROMPT, null);
            probe.publish(Event.of(datasetId, "erin", upload));
            DatasetRejected first = probe.await(DatasetRejected.class, datasetId, WAIT).payload();
            assertTrue(first.problems().get(0).startsWith("00-notes.jpg: NOT_AN_IMAGE"), first.problems().get(0));
            // the staged file is gone once the rejection is out: a redelivery cannot check it again
            await().atMost(WAIT).until(() -> !store.exists(Buckets.DATASETS, upload.stagingKeys().get(0)));

            probe.publish(Event.of(datasetId, "erin", upload));
            assertEquals(first, secondAnswer(probe, DatasetRejected.class, datasetId));
        }
    }

    @Test
    void anUploadThatCannotBeReadFromS3EndsRejectedAsInternalAndARedeliveryAnswersTheSame() throws Exception {
        try (EventProbe probe = EventProbe.forApplication()) {
            String datasetId = UUID.randomUUID().toString();
            // in this dataset's staging area, but no such object: the download fails, not the file's checks
            DatasetIngested upload = new DatasetIngested(datasetId, List.of(
                    stage("fred", datasetId, "00-rocket.jpg", Photos.jpeg(Photos.photo("rocket.jpg", 800, 600))),
                    Buckets.datasetStagingKey("fred", datasetId, "01-gone.jpg")), null, PROMPT, null);
            probe.publish(Event.of(datasetId, "fred", upload));
            DatasetRejected rejected = probe.await(DatasetRejected.class, datasetId, WAIT).payload();

            assertEquals(1, rejected.problems().size(), rejected.problems().toString());
            assertTrue(rejected.problems().get(0).startsWith("upload: INTERNAL: "), rejected.problems().get(0));
            assertTrue(rejected.problems().get(0).contains("01-gone.jpg"), rejected.problems().get(0));
            await().atMost(WAIT).untilAsserted(() -> assertEquals(List.of(Buckets.datasetRejectionKey("fred",
                            datasetId)), store.list(Buckets.DATASETS, Buckets.datasetPrefix("fred", datasetId)),
                    "only the outcome is stored: no image, no report, no staged file"));

            probe.publish(Event.of(datasetId, "fred", upload));
            assertEquals(rejected, secondAnswer(probe, DatasetRejected.class, datasetId));
        }
    }

    @Test
    void aReprocessingThatFailsIsRejectedAsInternalAndTheCurrentVersionStays() throws Exception {
        try (EventProbe probe = EventProbe.forApplication()) {
            String datasetId = UUID.randomUUID().toString();
            probe.publish(Event.of(datasetId, "gina", new DatasetIngested(datasetId, List.of(
                    stage("gina", datasetId, "00-rocket.jpg", Photos.jpeg(Photos.photo("rocket.jpg", 800, 600))),
                    stage("gina", datasetId, "01-coffee.jpg", Photos.jpeg(Photos.photo("coffee.jpg", 800, 600)))),
                    null, PROMPT, new DatasetSettings("centre", 256, false, false))));
            DatasetReady ready = probe.await(DatasetReady.class, datasetId, WAIT).payload();
            String reportKey = Buckets.datasetReportKey("gina", datasetId);
            byte[] report = store.get(Buckets.DATASETS, reportKey);
            store.remove(Buckets.DATASETS, ready.report().images().get(1).originalKey()); // lost from S3

            probe.publish(Event.of(datasetId, "gina", new DatasetReprocessRequested(datasetId,
                    new DatasetSettings("pad", 256, false, false), null)));
            DatasetRejected rejected = probe.await(DatasetRejected.class, datasetId, WAIT).payload();

            assertEquals(1, rejected.problems().size(), rejected.problems().toString());
            assertTrue(rejected.problems().get(0).startsWith("reprocessing: INTERNAL: "), rejected.problems().get(0));
            assertArrayEquals(report, store.get(Buckets.DATASETS, reportKey), "version 1 stays current");
            assertEquals(List.of(), store.list(Buckets.DATASETS, Buckets.datasetProcessedPrefix("gina", datasetId,
                    2)), "nothing of version 2 is left behind");
        }
    }

    /** The answer to the second request of a dataset: waits for a second terminal event of that type. */
    private static <P extends Payload> P secondAnswer(EventProbe probe, Class<P> type, String datasetId) {
        await().atMost(WAIT).until(() -> probe.all(type, datasetId).size() >= 2);
        return probe.all(type, datasetId).get(1).payload();
    }

    private String stage(String owner, String datasetId, String fileName, byte[] content) {
        String key = Buckets.datasetStagingKey(owner, datasetId, fileName);
        store.put(Buckets.DATASETS, key, content, "application/octet-stream");
        return key;
    }
}
