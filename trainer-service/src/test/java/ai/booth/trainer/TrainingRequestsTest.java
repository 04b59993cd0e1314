package ai.booth.trainer;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.Event;
import ai.booth.contracts.TrainingFailed;
import ai.booth.contracts.TrainingRequested;
import ai.booth.service.ObjectStore;
import ai.booth.testing.BoothInfraResource;
import ai.booth.testing.EventProbe;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@WithTestResource(value = BoothInfraResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class TrainingRequestsTest {

    @Inject
    ObjectStore store;

    @Test
    void eachAdmissionRuleAnswersWithItsOwnCode() throws Exception {
        String readyDataset = UUID.randomUUID().toString();
        store.put(Buckets.DATASETS, Buckets.datasetRawKey("alice", readyDataset, "00-a.png"), new byte[] {1}, "image/png");
        store.put(Buckets.MODELS, Buckets.modelPrefix("tiny-sd") + "unet.safetensors", new byte[] {1}, "application/octet-stream");

        try (EventProbe probe = EventProbe.forApplication()) {
            assertOutcome(probe, request(readyDataset, "tiny-sd", 0), "INVALID_REQUEST", "rank must be > 0, got 0");
            assertOutcome(probe, request("missing", "tiny-sd", 4), "DATASET_NOT_READY", "dataset missing");
            assertOutcome(probe, request(readyDataset, "nope", 4), "MODEL_NOT_FOUND", "'nope'");
            assertOutcome(probe, request(readyDataset, "tiny-sd", 4), "ENGINE_UNAVAILABLE", "no training engine");
        }
    }

    private static void assertOutcome(EventProbe probe, TrainingRequested request, String code, String detail)
            throws Exception {
        probe.publish(Event.of(request.trainingId(), "alice", request));
        TrainingFailed failed = probe.await(TrainingFailed.class, request.trainingId(), Duration.ofSeconds(30))
                .payload();
        assertEquals(code, failed.code(), failed.message());
        assertTrue(failed.message().contains(detail), failed.message());
    }

    private static TrainingRequested request(String datasetId, String baseModel, int rank) {
        return new TrainingRequested(UUID.randomUUID().toString(), baseModel, datasetId, "sks", "dog",
                "a photo of sks dog", "a photo of dog", true, 1.0, 10, 512, 100, 1, rank, 4.0, 1e-4, 5e-6,
                "constant", 0, 42L, 50, 50, List.of("sks dog on the beach"));
    }
}
