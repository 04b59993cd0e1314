package ai.booth.sampler;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.Event;
import ai.booth.contracts.GenerationFailed;
import ai.booth.contracts.GenerationRequested;
import ai.booth.contracts.LoraRef;
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
class GenerationRequestsTest {

    @Inject
    ObjectStore store;

    @Test
    void eachAdmissionRuleAnswersWithItsOwnCode() throws Exception {
        store.put(Buckets.MODELS, Buckets.modelPrefix("tiny-sd") + "unet.safetensors", new byte[] {1}, "application/octet-stream");
        store.put(Buckets.ADAPTERS, "alice/t1/adapter.safetensors", new byte[] {1}, "application/octet-stream");
        List<LoraRef> present = List.of(new LoraRef("alice/t1/adapter.safetensors", 1.0, 0.5));

        try (EventProbe probe = EventProbe.forApplication()) {
            assertOutcome(probe, request("tiny-sd", 500, present), "INVALID_REQUEST", "got 500x512");
            assertOutcome(probe, request("nope", 512, present), "MODEL_NOT_FOUND", "'nope'");
            assertOutcome(probe, request("tiny-sd", 512, List.of(new LoraRef("alice/none", 1, 1))),
                    "ADAPTER_NOT_FOUND", "'alice/none'");
            assertOutcome(probe, request("tiny-sd", 512, present), "ENGINE_UNAVAILABLE", "no sampling engine");
        }
    }

    private static void assertOutcome(EventProbe probe, GenerationRequested request, String code, String detail)
            throws Exception {
        probe.publish(Event.of(request.generationId(), "alice", request));
        GenerationFailed failed = probe.await(GenerationFailed.class, request.generationId(), Duration.ofSeconds(30))
                .payload();
        assertEquals(code, failed.code(), failed.message());
        assertTrue(failed.message().contains(detail), failed.message());
    }

    private static GenerationRequested request(String baseModel, int width, List<LoraRef> loras) {
        return new GenerationRequested(UUID.randomUUID().toString(), baseModel, "a photo of sks dog", null, 20, 7.5,
                1L, 1, width, 512, "ddim", 0, loras, null);
    }
}
