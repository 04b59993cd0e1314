package ai.booth.dataset;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.DatasetImage;
import ai.booth.contracts.DatasetIngested;
import ai.booth.contracts.DatasetReady;
import ai.booth.contracts.DatasetRejected;
import ai.booth.contracts.Event;
import ai.booth.service.ObjectStore;
import ai.booth.testing.BoothInfraResource;
import ai.booth.testing.EventProbe;
import ai.booth.testing.TestImages;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@WithTestResource(value = BoothInfraResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class DatasetIngestionTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    ObjectStore store;

    @Test
    void imagesMoveToRawAndTheDatasetIsReady() throws Exception {
        try (EventProbe probe = EventProbe.forApplication()) {
            String datasetId = UUID.randomUUID().toString();
            byte[] png = TestImages.png(40, 30);
            byte[] jpeg = jpeg(TestImages.png(24, 32));
            String pngKey = stage("alice", datasetId, "00-a.png", png);
            String jpegKey = stage("alice", datasetId, "01-b.jpg", jpeg);

            probe.publish(Event.of(datasetId, "alice", new DatasetIngested(datasetId, List.of(pngKey, jpegKey), null)));
            Event<DatasetReady> ready = probe.await(DatasetReady.class, datasetId, WAIT);

            assertEquals("alice", ready.ownerId());
            assertEquals(List.of(
                    new DatasetImage(Buckets.datasetRawKey("alice", datasetId, "00-a.png"), 40, 30, "image/png"),
                    new DatasetImage(Buckets.datasetRawKey("alice", datasetId, "01-b.jpg"), 24, 32, "image/jpeg")),
                    ready.payload().images());
            assertArrayEquals(png, store.get(Buckets.DATASETS, ready.payload().images().get(0).key()));
            assertArrayEquals(jpeg, store.get(Buckets.DATASETS, ready.payload().images().get(1).key()));
            assertFalse(store.exists(Buckets.DATASETS, pngKey), "staging copy should be removed");
        }
    }

    @Test
    void filesThatAreNotImagesRejectTheDatasetNamingEachFile() throws Exception {
        try (EventProbe probe = EventProbe.forApplication()) {
            String datasetId = UUID.randomUUID().toString();
            byte[] png = TestImages.png(16, 16);
            String good = stage("bob", datasetId, "00-ok.png", png);
            String text = stage("bob", datasetId, "01-notes.txt", "not a photo".getBytes());
            String truncated = stage("bob", datasetId, "02-cut.png", Arrays.copyOf(png, png.length / 2));
            String foreign = Buckets.datasetStagingKey("eve", datasetId, "03-x.png");

            probe.publish(Event.of(datasetId, "bob",
                    new DatasetIngested(datasetId, List.of(good, text, truncated, foreign), "cat")));
            Event<DatasetRejected> rejected = probe.await(DatasetRejected.class, datasetId, WAIT);

            List<String> problems = rejected.payload().problems();
            assertEquals(3, problems.size(), problems.toString());
            assertTrue(problems.get(0).startsWith("01-notes.txt: not an image"), problems.get(0));
            assertTrue(problems.get(1).startsWith("02-cut.png: cannot decode"), problems.get(1));
            assertTrue(problems.get(2).contains("not in this dataset's staging area"), problems.get(2));
            assertTrue(store.exists(Buckets.DATASETS, good), "a rejected dataset keeps its staged files");
        }
    }

    private String stage(String owner, String datasetId, String fileName, byte[] content) {
        String key = Buckets.datasetStagingKey(owner, datasetId, fileName);
        store.put(Buckets.DATASETS, key, content, "application/octet-stream");
        return key;
    }

    private static byte[] jpeg(byte[] png) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(ImageIO.read(new ByteArrayInputStream(png)), "jpg", out);
        return out.toByteArray();
    }
}
