package ai.booth.diffusion.train;

import ai.booth.diffusion.loader.DiffusersFolderLoader;
import ai.booth.diffusion.loader.OwnedCopies;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.runtime.NoGrad;
import ai.booth.diffusion.testing.Reference;
import ai.booth.diffusion.vae.AutoencoderKL;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Training a VAE from its weights: it learns to reconstruct, leaves the base alone, and resumes bit for bit. */
class VaeTrainerTest {

    private static Reference ref;
    private static StableDiffusionModel model;
    private static VaeTrainer.Images images;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        ref = Reference.load();
        model = DiffusersFolderLoader.load(ref.modelDir(), EngineOptions.defaults());
        int side = ref.imageSize();
        List<float[]> pixels = new ArrayList<>();
        for (BufferedImage image : SyntheticImages.others(4, side, 3)) {
            pixels.add(TrainingImages.pixels(image, false));
        }
        images = new VaeTrainer.Images() {
            @Override
            public int size() {
                return pixels.size();
            }

            @Override
            public int side() {
                return side;
            }

            @Override
            public float[] pixels(int index) {
                return pixels.get(index);
            }
        };
    }

    @AfterAll
    static void close() {
        model.close();
        ref.close();
    }

    private static VaeTrainer.Settings settings(int steps) {
        return new VaeTrainer.Settings(steps, 2, 2e-3, "constant", 0, 1e-4, 1.0, 7);
    }

    @Test
    void theEncodersGradientFlowsThroughThePosteriorMeanNotOnlyItsVariance() {
        int side = images.side();
        try (AutoencoderKL vae = OwnedCopies.vae(model.vae());
             FullWeights weights = new FullWeights("vae", vae.parameters());
             NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(images.pixels(0), new Shape(1, 3, side, side));
            try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
                collector.backward(vae.encode(x).mean().sum());   // the log-variance takes no part
            }
            NDArray g = vae.parameters().get("encoder.conv_in.weight").getGradient();
            assertTrue(g.abs().sum().getFloat() > 0, "no gradient reaches the encoder through the mean");
        }
    }

    @Test
    void trainingLowersTheReconstructionErrorOfItsImagesAndLeavesTheBaseVaeAlone() {
        float[] before = weight(model.vae());
        double start = reconstructionError(model.vae());
        try (VaeTrainer trainer = VaeTrainer.start(model.vae(), images, settings(40))) {
            VaeTrainer.StepReport last = null;
            for (int i = 0; i < 40; i++) {
                last = trainer.trainStep();
                assertTrue(Float.isFinite(last.loss()) && last.kl() >= -1e-5f, last.toString());
            }
            double end = reconstructionError(trainer.trained());
            assertTrue(end < 0.5 * start, "reconstruction error of the posterior means " + start + " -> " + end);
            assertEquals(40, last.step());
            double std = trainer.latentStd(4);
            assertTrue(std > 0 && Double.isFinite(std), "latent std " + std);
        }
        assertArrayEquals(before, weight(model.vae()), "the base VAE is not trained");
    }

    @Test
    void aRunStoppedAtACheckpointResumesBitForBit() {
        Map<String, float[]> straight;
        try (VaeTrainer trainer = VaeTrainer.start(model.vae(), images, settings(6))) {
            for (int i = 0; i < 6; i++) {
                trainer.trainStep();
            }
            straight = weights(trainer.trained());
        }
        Path checkpoint = tmp.resolve("checkpoint");
        try (VaeTrainer trainer = VaeTrainer.start(model.vae(), images, settings(6))) {
            for (int i = 0; i < 3; i++) {
                trainer.trainStep();
            }
            trainer.checkpoint(checkpoint);
        }
        try (VaeTrainer resumed = VaeTrainer.resume(model.vae(), images, checkpoint, 0)) {
            assertEquals(3, resumed.stepsDone());
            while (resumed.stepsDone() < resumed.settings().steps()) {
                resumed.trainStep();
            }
            Map<String, float[]> after = weights(resumed.trained());
            assertEquals(straight.keySet(), after.keySet());
            straight.forEach((k, v) -> assertTrue(Arrays.equals(v, after.get(k)), k + " differs after resume"));
        }
    }

    @Test
    void aCheckpointOfOtherImagesIsRefused() {
        Path checkpoint = tmp.resolve("checkpoint");
        try (VaeTrainer trainer = VaeTrainer.start(model.vae(), images, settings(2))) {
            trainer.trainStep();
            trainer.checkpoint(checkpoint);
        }
        VaeTrainer.Images fewer = new VaeTrainer.Images() {
            @Override
            public int size() {
                return 3;
            }

            @Override
            public int side() {
                return images.side();
            }

            @Override
            public float[] pixels(int index) {
                return images.pixels(index);
            }
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VaeTrainer.resume(model.vae(), fewer, checkpoint, 0));
        assertTrue(e.getMessage().contains("trained on 4 images, not 3"), e.getMessage());
    }

    /** Mean squared error of decoding each image's posterior mean. */
    private static double reconstructionError(AutoencoderKL vae) {
        int side = images.side();
        double sum = 0;
        try (NoGrad ignored = NoGrad.enter(); NDManager m = NDManager.newBaseManager()) {
            for (int i = 0; i < images.size(); i++) {
                NDArray x = m.create(images.pixels(i), new Shape(1, 3, side, side));
                sum += vae.decode(vae.encode(x).mode()).sub(x).square().mean().getFloat();
            }
        }
        return sum / images.size();
    }

    private static float[] weight(AutoencoderKL vae) {
        return vae.parameters().get("decoder.conv_out.weight").toFloatArray();
    }

    private static Map<String, float[]> weights(AutoencoderKL vae) {
        Map<String, float[]> out = new java.util.LinkedHashMap<>();
        vae.parameters().forEach((k, v) -> out.put(k, v.toFloatArray()));
        return out;
    }
}
