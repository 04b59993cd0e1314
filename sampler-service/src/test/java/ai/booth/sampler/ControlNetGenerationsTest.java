package ai.booth.sampler;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.ControlRef;
import ai.booth.contracts.Event;
import ai.booth.contracts.GenerationCompleted;
import ai.booth.contracts.GenerationFailed;
import ai.booth.contracts.GenerationRequested;
import ai.booth.contracts.GridAxis;
import ai.booth.contracts.GridSpec;
import ai.booth.service.ObjectStore;
import ai.booth.service.models.ModelRegistry;
import ai.booth.testing.BoothInfraResource;
import ai.booth.testing.EventProbe;
import ai.booth.testing.TestImages;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;

import static ai.booth.sampler.SamplerFixture.png;
import static ai.booth.sampler.SamplerFixture.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** sampler-service with the fixture ControlNet installed in the registry, through the real broker and S3. */
@QuarkusTest
@WithTestResource(value = BoothInfraResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class ControlNetGenerationsTest {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String CONTROLNET = "cn-fixture";

    @Inject
    ObjectStore store;

    @Inject
    ModelRegistry registry;

    @BeforeEach
    void install() {
        registry.installControlNet(SamplerFixture.FIXTURES.resolve("controlnet/model"), CONTROLNET, null);
    }

    @Test
    void aControlScaleGridRendersEachScaleWithTheCannyMapSavedOnce() throws Exception {
        String photo = "alice/photos/control0-input.png";
        store.put(Buckets.GENERATIONS, photo, TestImages.png(48, 40), "image/png");
        GenerationRequested grid = request(registry, "a photo of sks dog", 7, 1, List.of(),
                new GridSpec(new GridAxis("controlScale", List.of("0", "1.5")), new GridAxis("seed", List.of("7"))));
        GenerationRequested request = withControls(grid, List.of(new ControlRef(CONTROLNET, Buckets.GENERATIONS, photo,
                "canny", 100, 200, 1.0, 0.0, 1.0, false)));
        try (EventProbe probe = EventProbe.forApplication()) {
            probe.publish(Event.of(request.generationId(), "alice", request));
            GenerationCompleted done = probe.await(GenerationCompleted.class, request.generationId(), WAIT).payload();

            assertEquals(List.of(Buckets.generationControlMapKey("alice", request.generationId(), 0)),
                    done.controlMapKeys());
            BufferedImage map = ImageIO.read(new ByteArrayInputStream(store.get(Buckets.GENERATIONS,
                    done.controlMapKeys().get(0))));
            assertEquals(request.width(), map.getWidth(), "canny ran at the output size");
            SamplerFixture.Png off = png(store, done.images().get(0).key());
            SamplerFixture.Png on = png(store, done.images().get(1).key());
            assertTrue(off.parameters().contains("ControlNet 0: \"Module: canny, Model: " + CONTROLNET + " ["),
                    off.parameters());
            assertTrue(off.parameters().contains("Weight: 0,"), off.parameters());
            assertTrue(on.parameters().contains("Weight: 1.5,"), on.parameters());
            assertFalse(Arrays.equals(off.rgb(), on.rgb()), "the scale changes the image");
        }
    }

    @Test
    void aControlImageOfAnotherOwnerFailsTheRequestWithoutBeingRead() throws Exception {
        assertRefused(Buckets.GENERATIONS, "bob/gen-1/control0-input.png", "controls[0].imageKey");
    }

    @Test
    void aControlImageFromTheOwnersDatasetIsReadFromTheDatasetsBucket() throws Exception {
        String image = Buckets.datasetProcessedKey("alice", "ds-cn", 1, "00.png");
        store.put(Buckets.DATASETS, image, TestImages.png(48, 40), "image/png");
        GenerationRequested request = withControls(request(registry, "a photo of sks dog", 3, 1, List.of(), null),
                List.of(new ControlRef(CONTROLNET, Buckets.DATASETS, image, "canny", 100, 200, 1, 0, 1, false)));
        try (EventProbe probe = EventProbe.forApplication()) {
            probe.publish(Event.of(request.generationId(), "alice", request));
            GenerationCompleted done = probe.await(GenerationCompleted.class, request.generationId(), WAIT).payload();

            assertTrue(store.exists(Buckets.GENERATIONS, done.controlMapKeys().get(0)), "its canny map, beside");
            assertTrue(png(store, done.images().get(0).key()).parameters().contains("ControlNet 0: \"Module: canny"));
        }
    }

    @Test
    void aControlImageInAnyOtherBucketFailsTheRequestWithoutBeingRead() throws Exception {
        assertRefused(Buckets.ADAPTERS, "alice/t-1/lora_kohya.safetensors", "controls[0].imageBucket");
    }

    /** Alice's request with a control image at {@code key} in {@code bucket} fails as invalid, naming {@code field}. */
    private void assertRefused(String bucket, String key, String field) throws Exception {
        GenerationRequested request = withControls(request(registry, "a dog", 1, 1, List.of(), null),
                List.of(new ControlRef(CONTROLNET, bucket, key, "none", 100, 200, 1, 0, 1, false)));
        try (EventProbe probe = EventProbe.forApplication()) {
            probe.publish(Event.of(request.generationId(), "alice", request));
            GenerationFailed failed = probe.await(GenerationFailed.class, request.generationId(), WAIT).payload();
            assertEquals("INVALID_REQUEST", failed.code());
            assertTrue(failed.message().contains(field), failed.message());
        }
    }

    private static GenerationRequested withControls(GenerationRequested r, List<ControlRef> controls) {
        return new GenerationRequested(r.generationId(), r.baseModel(), r.prompt(), r.negativePrompt(), r.steps(),
                r.guidanceScale(), r.seed(), r.count(), r.width(), r.height(), r.scheduler(), r.clipSkip(), r.loras(),
                r.grid(), controls);
    }
}
