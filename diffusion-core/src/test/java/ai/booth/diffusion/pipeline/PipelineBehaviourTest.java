package ai.booth.diffusion.pipeline;

import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.loader.DiffusersFolderLoader;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.nn.OpMeter;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.runtime.TorchGenerator;
import ai.booth.diffusion.testing.Reference;
import ai.djl.Device;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.*;

/** Seeds, batches, guidance, progress, cancellation and memory of the pipeline on the fixture model. */
class PipelineBehaviourTest {

    private static Reference ref;
    private static StableDiffusionModel model;
    private static TextToImagePipeline pipeline;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        ref = Reference.load();
        model = DiffusersFolderLoader.load(ref.modelDir(), EngineOptions.defaults());
        pipeline = TextToImagePipeline.of(model);
    }

    @AfterAll
    static void close() {
        pipeline.close();
        model.close();
        ref.close();
    }

    /** The pipeline case's texts and guidance, with few steps: these tests are about behaviour, not numbers. */
    private static GenerationParams.Builder base() {
        JsonNode c = ref.testCase("pipeline");
        return GenerationParams.builder(c.get("prompt").asText()).negativePrompt(c.get("negative_prompt").asText())
                .guidanceScale(c.get("guidance_scale").asDouble()).steps(3).seed(1234);
    }

    private static float[] pixels(GenerationParams p) {
        return pipeline.generate(p).images().get(0).pixels();
    }

    @Test
    void sameSeedSameImageAndEachImageOfABatchReproducesAlone() {
        GenerationResult batch = pipeline.generate(base().imagesPerPrompt(3).build());
        assertEquals(3, batch.images().size());
        Set<Long> seeds = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            ImageResult image = batch.images().get(i);
            assertEquals(1234 + i, image.params().seed());
            seeds.add(image.params().seed());
            assertTrue(image.infotext().contains("Seed: " + (1234 + i) + ","), image.infotext());
            GenerationParams replay = GenerationParams.fromInfotext(image.infotext());
            assertArrayEquals(image.pixels(), pixels(replay), "image " + i + " from its own infotext");
            assertEquals(pipeline.defaultSize(), image.width());
        }
        assertFalse(java.util.Arrays.equals(batch.images().get(0).pixels(), batch.images().get(1).pixels()),
                "different seeds give different images");
    }

    /**
     * What a GPU node does (stacked batches, each image's noise from its own generator) gives the images the CPU
     * renders one after another, up to float rounding, also with an ancestral sampler that draws noise every step.
     */
    @Test
    void imagesStackedInOneBatchAsOnAGpuAreTheImagesRenderedOneAfterAnother() {
        try (TextToImagePipeline stacked = TextToImagePipeline.of(model).stackImages(2)) {
            for (String scheduler : List.of("euler_a", "dpmpp_2m_karras")) {
                GenerationParams p = base().scheduler(scheduler).imagesPerPrompt(3).build();
                List<ImageResult> one = pipeline.generate(p).images();
                stacked.generate(p);   // warm-up: per-size caches
                int before = liveArrays();
                List<ImageResult> batch = stacked.generate(p).images();   // a stack of 2, then 1
                assertEquals(before, liveArrays(), scheduler + ": arrays left after a stacked run");
                assertEquals(3, batch.size());
                for (int i = 0; i < 3; i++) {
                    assertEquals(one.get(i).infotext(), batch.get(i).infotext(), "image " + i);
                    float[] a = one.get(i).pixels();
                    float[] b = batch.get(i).pixels();
                    double worst = 0;
                    for (int k = 0; k < a.length; k++) {
                        worst = Math.max(worst, Math.abs(a[k] - b[k]));
                    }
                    assertTrue(worst < 1e-3, scheduler + " image " + i + " differs by " + worst);
                }
                assertFalse(java.util.Arrays.equals(batch.get(0).pixels(), batch.get(1).pixels()),
                        "each image of a stack has its own noise");
            }
        }
        assertThrows(IllegalArgumentException.class, () -> pipeline.stackImages(0));
    }

    @Test
    void aFreshThreadWithGradModeOnRendersTheSameImageAndKeepsItsMode() throws Exception {
        float[] here = pixels(base().build());
        float[][] there = new float[1][];
        boolean[] modes = new boolean[3];
        Thread worker = new Thread(() -> {
            modes[0] = ai.djl.pytorch.jni.JniUtils.isGradMode();
            there[0] = pipeline.generate(base().build(), (step, total, t, elapsed) -> modes[1] |=
                    ai.djl.pytorch.jni.JniUtils.isGradMode(), () -> false).images().get(0).pixels();
            modes[2] = ai.djl.pytorch.jni.JniUtils.isGradMode();
        });
        worker.start();
        worker.join();
        assertTrue(modes[0], "PyTorch starts a new thread with grad mode on (what this test is about)");
        assertFalse(modes[1], "denoising runs without autograd");
        assertTrue(modes[2], "the pipeline restores the thread's grad mode");
        assertArrayEquals(here, there[0], "the same image on a worker thread");
    }

    @Test
    void aSeedDrawsTorchCpuNoiseAndFileLatentsAreUsedAsGiven() {
        GenerationParams seeded = base().build();
        int f = model.vae().config().downscale();
        int side = pipeline.defaultSize() / f;
        Path latents = tmp.resolve("latents.safetensors");
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            SafeTensors.write(latents, Map.of("noise", new TorchGenerator(seeded.seed())
                    .randn(m, new Shape(1, model.unet().config().inChannels(), side, side))), Map.of());
        }
        GenerationParams fromFile = base().seed(99).initialLatents(latents).build();
        assertArrayEquals(pixels(seeded), pixels(fromFile), "file noise = the seed's noise, seed ignored");

        GenerationParams wrongSize = base().size(pipeline.defaultSize() + 8, pipeline.defaultSize())
                .initialLatents(latents).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pipeline.generate(wrongSize));
        assertTrue(e.getMessage().contains("initial latents") && e.getMessage().contains("need"), e.getMessage());
    }

    @Test
    void guidanceAtMostOneUsesTheConditionalPassAlone() {
        float[] one = pixels(base().guidanceScale(1).build());
        float[] half = pixels(base().guidanceScale(0.5).negativePrompt("anything else").build());
        assertArrayEquals(one, half, "g ≤ 1: neither g nor the negative prompt matter (diffusers skips CFG)");
        assertFalse(java.util.Arrays.equals(one, pixels(base().guidanceScale(3).build())), "g > 1 guides");
        assertFalse(java.util.Arrays.equals(pixels(base().build()),
                pixels(base().negativePrompt("anything else").build())), "with CFG the negative prompt matters");
    }

    @Test
    void nonSquareSizesAnyMultipleOfEight() {
        int w = pipeline.defaultSize() + 8;
        int h = pipeline.defaultSize() - 16;
        ImageResult image = pipeline.generate(base().steps(1).size(w, h).build()).images().get(0);
        assertEquals(w, image.toImage().getWidth());
        assertEquals(h, image.toImage().getHeight());
        assertTrue(image.infotext().contains("Size: " + w + "x" + h), image.infotext());
    }

    @Test
    void progressIsReportedPerStepAndCancellationStopsTheRun() {
        List<Integer> steps = new ArrayList<>();
        List<Float> timesteps = new ArrayList<>();
        pipeline.generate(base().imagesPerPrompt(2).build(), (step, total, t, elapsed) -> {
            assertEquals(6, total);
            assertFalse(elapsed.isNegative());
            steps.add(step);
            timesteps.add(t);
        }, () -> false);
        assertEquals(List.of(1, 2, 3, 4, 5, 6), steps);
        assertEquals(timesteps.subList(0, 3), timesteps.subList(3, 6), "both images walk the same timesteps");

        AtomicInteger done = new AtomicInteger();
        CancellationException e = assertThrows(CancellationException.class, () -> pipeline.generate(base().build(),
                (step, total, t, elapsed) -> done.set(step), () -> done.get() >= 2));
        assertTrue(e.getMessage().contains("after 2 of 3 steps"), e.getMessage());
    }

    /** Every live NDArray of the engine, in any manager (the root above every base manager). */
    private static int liveArrays() {
        try (NDManager probe = NDManager.newBaseManager(Device.cpu())) {
            return ((BaseNDManager) probe.getParentManager()).getManagedArrays().size();
        }
    }

    @Test
    void fiftyStepsLeaveNothingBehind() {
        for (String scheduler : List.of("ddim", "dpmpp_2m_karras")) {
            GenerationParams p = base().scheduler(scheduler).steps(50).build();
            pipeline.generate(base().scheduler(scheduler).steps(2).build());  // warm-up: per-size caches
            int before = liveArrays();
            List<Integer> during = new ArrayList<>();
            AtomicInteger total = new AtomicInteger();
            pipeline.generate(p, (step, all, t, elapsed) -> {
                during.add(liveArrays());
                total.set(all);
            }, () -> false);
            assertEquals(total.get(), during.size(), "the listener's total is the number of steps it sees");
            assertTrue(during.size() >= p.steps() - 1, "DPM++ Karras may merge one rounded timestep");
            // a multistep sampler's history fills up over its first steps (solver order 2); then nothing may grow
            assertEquals(1, new HashSet<>(during.subList(2, during.size())).size(),
                    scheduler + ": live arrays grew during the run " + during);
            assertEquals(before, liveArrays(), scheduler + ": arrays left after the run");
        }
    }

    /**
     * DeepCache runs the whole UNet every n-th step and the outermost level between: fewer FLOPs, an image near the
     * plain one (much nearer than another seed's), replayed exactly from its infotext, nothing left behind.
     */
    @Test
    void deepCacheRunsTheWholeUnetEveryNthStepForFewerFlopsAndANearImageItsInfotextReplays() {
        ImageResult image = accelerated("DeepCache 3 of 6 steps", base().steps(6).build(),
                base().steps(6).deepCache(3).build(), OpMeter::flops).image();
        assertTrue(image.infotext().contains("DeepCache: 3"), image.infotext());
    }

    /**
     * ToMe merges half the outermost attention level's tokens before each self-attention: fewer FLOPs, an image near
     * the plain one, replayed exactly from its infotext, the model left without merging, nothing left behind.
     */
    @Test
    void tokenMergingAttendsOverFewerTokensForFewerFlopsAndANearImageItsInfotextReplays() {
        GenerationParams plain = base().steps(4).build();
        Accelerated merged = accelerated("ToMe 0.5 (attention)", plain, base().steps(4).tokenMerging(0.5).build(),
                () -> OpMeter.flops(OpMeter.Kind.ATTENTION));
        assertTrue(merged.image().infotext().contains("ToMe: 0.5"), merged.image().infotext());
        assertArrayEquals(merged.plain(), pixels(plain), "the next request runs without merging");
    }

    /**
     * {@code fast} (an acceleration of {@code plain}) computes fewer FLOPs as {@code flops} counts them, leaves no
     * array behind, gives an image that differs from the plain one but by less than a quarter of another seed's
     * difference, and replays from its infotext. Prints the figures; returns the image and the plain one's pixels.
     */
    private record Accelerated(ImageResult image, float[] plain) { }

    private Accelerated accelerated(String what, GenerationParams plain, GenerationParams fast, LongSupplier flops) {
        pipeline.generate(fast);   // warm-up: per-size caches
        OpMeter.reset();
        float[] reference = pixels(plain);
        long plainFlops = flops.getAsLong();
        int before = liveArrays();
        OpMeter.reset();
        ImageResult image = pipeline.generate(fast).images().get(0);
        long fastFlops = flops.getAsLong();
        assertEquals(before, liveArrays(), "arrays left after a " + what + " run");
        assertTrue(fastFlops < plainFlops, what + " computes less: " + fastFlops + " vs " + plainFlops);

        double toPlain = meanAbs(image.pixels(), reference);
        double toOtherSeed = meanAbs(pixels(plain.toBuilder().seed(99).build()), reference);
        assertTrue(toPlain > 0, what + " changes the image");
        assertTrue(toPlain < toOtherSeed / 4, "near the plain image: " + toPlain + " vs another seed's "
                + toOtherSeed);
        assertArrayEquals(image.pixels(), pixels(GenerationParams.fromInfotext(image.infotext())),
                "replayed from its infotext");
        System.out.printf("%s: %.2f of the FLOPs, mean |Δ| %.4f (another seed: %.4f)%n", what,
                (double) fastFlops / plainFlops, toPlain, toOtherSeed);
        return new Accelerated(image, reference);
    }

    private static double meanAbs(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += Math.abs(a[i] - b[i]);
        }
        return sum / a.length;
    }

    @Test
    void badRequestsNameTheField() {
        Map<String, Runnable> bad = Map.of(
                "width", () -> base().width(100).build(),
                "steps", () -> base().steps(0).build(),
                "guidance_scale", () -> base().guidanceScale(-1).build(),
                "images_per_prompt", () -> base().imagesPerPrompt(0).build(),
                "clip_skip", () -> base().clipSkip(0).build(),
                "scheduler", () -> base().scheduler("no such sampler").build(),
                "seed", () -> base().seed(GenerationParams.MAX_SEED).imagesPerPrompt(2).build(),
                "deep_cache", () -> base().deepCache(0).build(),
                "token_merging", () -> base().tokenMerging(1).build());
        bad.forEach((field, build) -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::run, field);
            assertTrue(e.getMessage().startsWith(field), field + ": " + e.getMessage());
        });
    }
}
