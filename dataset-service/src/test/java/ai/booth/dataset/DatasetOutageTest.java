package ai.booth.dataset;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.DatasetImage;
import ai.booth.contracts.DatasetIngested;
import ai.booth.contracts.DatasetReady;
import ai.booth.contracts.DatasetRejected;
import ai.booth.contracts.DatasetSettings;
import ai.booth.contracts.Event;
import ai.booth.dataset.processing.Photos;
import ai.booth.service.ObjectStore;
import ai.booth.testing.EventProbe;
import ai.booth.testing.S3Outage;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An upload that arrives while S3 is unavailable (the server lost, its port refusing) waits for S3 and ends READY
 * once it is back, with each image once: it is neither rejected for a fault that is not the upload's, nor thrown to
 * the dead-letter topic and left ingesting for ever. An outage longer than {@code booth.dataset.outage-wait} (12 s
 * here) ends it rejected, naming S3. Through the real broker and S3 server, S3 behind a relay that the test cuts
 * ({@link S3Outage}).
 */
@QuarkusTest
@WithTestResource(value = S3Outage.class, scope = TestResourceScope.MATCHING_RESOURCES,
        initArgs = @ResourceArg(name = "booth.dataset.outage-wait", value = "PT12S"))
class DatasetOutageTest {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @Inject
    ObjectStore store;

    @AfterEach
    void s3Back() {
        S3Outage.restore();
    }

    @Test
    void anUploadArrivingWhileS3IsLostEndsReadyWithEachImageOnceWhenS3IsBack() throws Exception {
        try (EventProbe probe = EventProbe.forApplication()) {
            String datasetId = UUID.randomUUID().toString();
            List<String> keys = new ArrayList<>();
            for (String photo : List.of("rocket.jpg", "coffee.jpg", "astronaut.jpg")) {
                String key = Buckets.datasetStagingKey("hana", datasetId, keys.size() + "-" + photo);
                store.put(Buckets.DATASETS, key, Photos.jpeg(Photos.photo(photo, 800, 600)), "image/jpeg");
                keys.add(key);
            }

            S3Outage.cut();
            probe.publish(Event.of(datasetId, "hana", new DatasetIngested(datasetId, keys, null,
                    "a photo of sks thing", new DatasetSettings("centre", 256, false, false))));
            Thread.sleep(4_000); // dataset-service gets the upload and finds S3 gone
            assertEquals(List.of(), probe.all(DatasetRejected.class, datasetId).stream()
                    .map(e -> e.payload().problems()).toList(), "no rejection for S3's fault");
            S3Outage.restore();

            DatasetReady ready = probe.await(DatasetReady.class, datasetId, WAIT).payload();
            assertEquals(3, ready.images().size(), ready.toString());
            List<String> pngs = store.list(Buckets.DATASETS, Buckets.datasetProcessedPrefix("hana", datasetId, 1))
                    .stream().filter(k -> k.endsWith(".png")).toList();
            assertEquals(ready.images().stream().map(DatasetImage::key).sorted().toList(), pngs,
                    "each image stored once");
            assertTrue(probe.all(DatasetRejected.class, datasetId).isEmpty(), "never rejected");
            for (String key : keys) {
                assertTrue(!store.exists(Buckets.DATASETS, key), "staged upload removed: " + key);
            }
        }
    }

    @Test
    void anUploadWhoseOutageOutlastsTheOutageWaitEndsRejectedNamingS3() throws Exception {
        try (EventProbe probe = EventProbe.forApplication()) {
            String datasetId = UUID.randomUUID().toString();
            String key = Buckets.datasetStagingKey("hana", datasetId, "0-rocket.jpg");
            store.put(Buckets.DATASETS, key, Photos.jpeg(Photos.photo("rocket.jpg", 800, 600)), "image/jpeg");

            S3Outage.cut();
            long start = System.nanoTime();
            probe.publish(Event.of(datasetId, "hana", new DatasetIngested(datasetId, List.of(key), null,
                    "a photo of sks thing", new DatasetSettings("centre", 256, false, false))));
            DatasetRejected rejected = probe.await(DatasetRejected.class, datasetId, WAIT).payload();
            long waited = (System.nanoTime() - start) / 1_000_000_000;

            assertEquals(1, rejected.problems().size(), rejected.toString());
            String problem = rejected.problems().get(0);
            assertTrue(problem.startsWith("upload: S3_UNAVAILABLE: dataset " + datasetId + " of hana: S3 stayed"
                    + " unavailable after waiting 12 s"), problem);
            assertTrue(waited >= 12, "rejected after " + waited + " s, before the outage wait was spent");
            assertTrue(probe.all(DatasetReady.class, datasetId).isEmpty(), "never ready");
        }
    }
}
