package ai.booth.sampler.evaluation;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.EvaluationCompleted;
import ai.booth.contracts.EvaluationFailed;
import ai.booth.contracts.EvaluationRequested;
import ai.booth.contracts.Event;
import ai.booth.diffusion.eval.EvalEncoders;
import ai.booth.diffusion.eval.RgbImage;
import ai.booth.diffusion.eval.SubjectFidelity;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.service.ObjectStore;
import ai.booth.service.models.ModelRegistry;
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
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Evaluation requests through the real broker and S3 server, scored with the eval fixture's encoders. */
@QuarkusTest
@WithTestResource(value = BoothInfraResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class EvaluationRequestConsumerTest {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final Path EVAL = Path.of(System.getProperty("booth.fixtures", "../fixtures/sd-tiny"))
            .resolve("eval");

    @Inject
    ObjectStore store;

    @Inject
    ModelRegistry registry;

    @Test
    void storedImagesAreScoredAsTheEngineScoresThemWithTheTokenRemovedAndDiversityPerPrompt() throws Exception {
        registry.installEncoder(EVAL.resolve("clip"), "eval-clip", null);
        registry.installEncoder(EVAL.resolve("dino"), "eval-dino", null);
        String generation = "gen-" + UUID.randomUUID();
        List<byte[]> generated = List.of(TestImages.png(40, 32), TestImages.png(32, 40), TestImages.png(48, 48));
        List<String> prompts = List.of("a photo of sks dog on the beach", "a photo of sks dog on the beach",
                "a photo of sks dog on the moon");
        List<EvaluationRequested.ScoredImage> images = new java.util.ArrayList<>();
        for (int i = 0; i < generated.size(); i++) {
            String key = Buckets.generationImageKey("ivy", generation, i);
            store.put(Buckets.GENERATIONS, key, generated.get(i), "image/png");
            images.add(new EvaluationRequested.ScoredImage(key, prompts.get(i)));
        }
        List<byte[]> real = List.of(TestImages.png(64, 48), TestImages.png(56, 56));
        List<String> realKeys = List.of(Buckets.datasetProcessedKey("ivy", "ds", 1, "00.png"),
                Buckets.datasetProcessedKey("ivy", "ds", 1, "01.png"));
        for (int i = 0; i < real.size(); i++) {
            store.put(Buckets.DATASETS, realKeys.get(i), real.get(i), "image/png");
        }
        EvaluationRequested request = new EvaluationRequested("ev-" + UUID.randomUUID(), images, realKeys,
                List.of("sks"));

        try (EventProbe probe = EventProbe.forApplication()) {
            probe.publish(Event.of(request.evaluationId(), "ivy", request));
            EvaluationCompleted done = probe.await(EvaluationCompleted.class, request.evaluationId(), WAIT)
                    .payload();

            try (EvalEncoders encoders = EvalEncoders.load(EVAL.resolve("clip"), EVAL.resolve("dino"),
                    EngineOptions.parse("cpu", "float32"))) {
                List<RgbImage> generatedImages = generated.stream().map(EvaluationRequestConsumerTest::rgb).toList();
                SubjectFidelity expected = SubjectFidelity.score(encoders, real.stream()
                        .map(EvaluationRequestConsumerTest::rgb).toList(), generatedImages, prompts, List.of("sks"));
                assertEquals(expected.dino(), done.scores().dino(), 1e-6, "DINO");
                assertEquals(expected.clipI(), done.scores().clipI(), 1e-6, "CLIP-I");
                assertEquals(expected.clipT(), done.scores().clipT(), 1e-6, "CLIP-T, 'sks' removed");
                assertNotNull(done.diversity(), "two images share the beach prompt");
                assertEquals(SubjectFidelity.div(encoders, generatedImages.subList(0, 2)), done.diversity(), 1e-6,
                        "DIV of the only prompt with two images");
            }
            assertEquals(3, done.scores().generated());
            assertEquals(2, done.scores().real());
            assertEquals(0, done.scores().step());
        }
    }

    @Test
    void foreignOrMissingImagesAreRefusedNamingThem() throws Exception {
        registry.installEncoder(EVAL.resolve("clip"), "eval-clip", null);
        registry.installEncoder(EVAL.resolve("dino"), "eval-dino", null);
        String real = Buckets.datasetProcessedKey("jan", "ds", 1, "00.png");
        store.put(Buckets.DATASETS, real, TestImages.png(32, 32), "image/png");
        EvaluationRequested foreign = new EvaluationRequested("ev-" + UUID.randomUUID(), List.of(
                new EvaluationRequested.ScoredImage("ivy/gen/0.png", "a dog")), List.of(real), List.of());
        EvaluationRequested missing = new EvaluationRequested("ev-" + UUID.randomUUID(), List.of(
                new EvaluationRequested.ScoredImage("jan/gen-none/0.png", "a dog")), List.of(real), List.of());
        try (EventProbe probe = EventProbe.forApplication()) {
            probe.publish(Event.of(foreign.evaluationId(), "jan", foreign));
            probe.publish(Event.of(missing.evaluationId(), "jan", missing));

            EvaluationFailed refused = probe.await(EvaluationFailed.class, foreign.evaluationId(), WAIT).payload();
            assertEquals("INVALID_REQUEST", refused.code());
            assertTrue(refused.message().contains("images[0].key must be a key under the owner's prefix 'jan/'"),
                    refused.message());
            EvaluationFailed absent = probe.await(EvaluationFailed.class, missing.evaluationId(), WAIT).payload();
            assertEquals("IMAGE_NOT_FOUND", absent.code());
            assertTrue(absent.message().contains("generations/jan/gen-none/0.png is not stored"), absent.message());
        }
    }

    private static RgbImage rgb(byte[] png) {
        try {
            return RgbImage.of(ImageIO.read(new ByteArrayInputStream(png)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
