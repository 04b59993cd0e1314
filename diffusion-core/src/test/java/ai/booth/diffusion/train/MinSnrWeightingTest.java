package ai.booth.diffusion.train;

import ai.booth.diffusion.loader.DiffusersFolderLoader;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.scheduler.Scheduler;
import ai.booth.diffusion.scheduler.SchedulerConfig;
import ai.booth.diffusion.scheduler.Schedulers;
import ai.booth.diffusion.testing.Reference;
import ai.booth.diffusion.unet.UNet2DConditionConfig;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Min-SNR-γ (Hang et al. 2023) as diffusers' DreamBooth scripts weight the loss: each instance example's error times
 * min(SNR(t), γ) / SNR(t), averaged; the class part unweighted; γ = 0 the plain mean. The SNR here is computed from
 * the fixture's scheduler config by its formula (betas → ᾱ), not by the engine, and each example's error by a
 * forward of that example alone.
 */
class MinSnrWeightingTest {

    private static final double GAMMA = 5;

    @Test
    void eachInstanceExamplesErrorIsWeightedByMinSnrOverSnrAndGammaZeroKeepsThePlainMean() {
        try (Reference ref = Reference.load();
             StableDiffusionModel model = DiffusersFolderLoader.load(ref.modelDir(), EngineOptions.defaults());
             NDManager m = NDManager.newBaseManager()) {
            SchedulerConfig config = DreamBoothTrainer.schedulerConfig(model);
            Scheduler ddpm = Schedulers.create("ddpm", config, Map.of());
            UNet2DConditionConfig unet = model.unet().config();
            int steps = config.integer("num_train_timesteps");
            int[] t = {1, steps / 2, steps - 1};
            int batch = t.length;
            NDArray latents = m.randomNormal(new Shape(batch, unet.inChannels(), 8, 8));
            NDArray noise = m.randomNormal(latents.getShape());
            NDArray text = m.randomNormal(new Shape(batch, 7, unet.crossAttentionDim()));
            NDArray timesteps = m.create(new long[] {t[0], t[1], t[2]});
            DreamBoothLoss plain = new DreamBoothLoss(model.unet(), ddpm, 0.5);
            DreamBoothLoss minSnr = new DreamBoothLoss(model.unet(), ddpm, 0.5, false, GAMMA);
            boolean velocity = plain.predictionType().equals("v_prediction");

            double[] each = new double[batch];
            double[] weight = new double[batch];
            double[] snr = snr(config);
            for (int i = 0; i < batch; i++) {
                NDIndex one = new NDIndex(i + ":" + (i + 1));
                each[i] = plain.compute(latents.get(one), noise.get(one), timesteps.get(one), text.get(one), 1)
                        .total().getFloat();
                weight[i] = Math.min(snr[t[i]], GAMMA) / snr[t[i]] + (velocity ? 1 : 0);
            }
            assertTrue(weight[0] < 0.01 && weight[2] > 0.99 - (velocity ? 0 : 0.01),
                    "low noise is weighted down, high noise kept: " + java.util.Arrays.toString(weight));

            double meanAll = (each[0] + each[1] + each[2]) / 3;
            assertEquals(meanAll, plain.compute(latents, noise, timesteps, text, batch).total().getFloat(),
                    1e-4 * meanAll, "γ = 0: the plain mean");
            double weighted = (weight[0] * each[0] + weight[1] * each[1] + weight[2] * each[2]) / 3;
            assertEquals(weighted, minSnr.compute(latents, noise, timesteps, text, batch).total().getFloat(),
                    1e-4 * weighted, "instance examples only");
            // two instance examples and one class example: the class term stays the plain error, times λ
            double withPrior = (weight[0] * each[0] + weight[1] * each[1]) / 2 + 0.5 * each[2];
            assertEquals(withPrior, minSnr.compute(latents, noise, timesteps, text, 2).total().getFloat(),
                    1e-4 * withPrior, "with prior preservation");

            // and the gradient flows through the weighted terms (each weight is owned by libtorch)
            try (GradientCollector collector = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                NDArray x = latents.duplicate();
                NDArray leaf = m.randomNormal(new Shape(batch, 7, unet.crossAttentionDim()));
                leaf.setRequiresGradient(true);
                NDArray loss = minSnr.compute(x, noise, timesteps, leaf, batch).total();
                System.gc();
                collector.backward(loss);
                float[] g = leaf.getGradient().toFloatArray();
                double norm = 0;
                for (float v : g) {
                    assertTrue(Float.isFinite(v));
                    norm += v * v;
                }
                assertTrue(norm > 0, "a gradient reaches the text");
            }
            assertThrows(IllegalArgumentException.class, () -> new DreamBoothLoss(model.unet(), ddpm, 1, false, -1));
        }
    }

    /** ᾱ_t / (1 − ᾱ_t) from the config's betas (linear or scaled_linear, the SD family's). */
    private static double[] snr(SchedulerConfig config) {
        int steps = config.integer("num_train_timesteps");
        double start = config.number("beta_start");
        double end = config.number("beta_end");
        Object schedule = config.values().getOrDefault("beta_schedule", "linear");
        assertTrue(schedule.equals("linear") || schedule.equals("scaled_linear"), "betas of " + schedule);
        boolean scaled = schedule.equals("scaled_linear");
        double[] out = new double[steps];
        double alphaBar = 1;
        for (int i = 0; i < steps; i++) {
            double f = (double) i / (steps - 1);
            double beta = scaled ? Math.pow(Math.sqrt(start) + f * (Math.sqrt(end) - Math.sqrt(start)), 2)
                    : start + f * (end - start);
            alphaBar *= 1 - beta;
            out[i] = alphaBar / (1 - alphaBar);
        }
        return out;
    }
}
