package ai.booth.diffusion.scheduler;

import ai.booth.diffusion.runtime.NoiseSource;
import ai.booth.diffusion.runtime.TorchGenerator;
import ai.booth.diffusion.testing.Reference;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Euler ancestral has no diffusers tensor in sd-tiny (SchedulerExtendedParityTest has two). Here: with the noise
 * switched off it must follow the update written out in double precision from the betas; with noise it must be
 * reproducible per seed and add exactly the variance it claims.
 */
class EulerAncestralTest {

    private static final NoiseSource ZERO = (manager, shape) -> manager.zeros(shape);

    /** The first scheduler config reference.json lists, and its step count. */
    private static JsonNode firstListed(Reference ref) {
        return ref.testCase("schedulers").get("schedulers").elements().next();
    }

    private static Scheduler eulerA(JsonNode spec) {
        Scheduler s = Schedulers.create("euler_a", SchedulerConfig.fromJson(spec.get("config"), "euler_a"), Map.of());
        s.setTimesteps(spec.get("steps").asInt());
        return s;
    }

    /** σ(t) = √((1−ᾱ)/ᾱ) in double from the betas (linear or scaled_linear), linear in t between steps. */
    private static double sigmaAt(SchedulerConfig c, double t) {
        int n = c.integer("num_train_timesteps");
        boolean scaled = c.values().get("beta_schedule").equals("scaled_linear");
        double b0 = scaled ? Math.sqrt(c.number("beta_start")) : c.number("beta_start");
        double b1 = scaled ? Math.sqrt(c.number("beta_end")) : c.number("beta_end");
        double[] sigma = new double[n];
        double alphaBar = 1;
        for (int i = 0; i < n; i++) {
            double b = b0 + (b1 - b0) * i / (n - 1);
            alphaBar *= 1 - (scaled ? b * b : b);
            sigma[i] = Math.sqrt((1 - alphaBar) / alphaBar);
        }
        int lo = (int) Math.floor(t);
        return lo >= n - 1 ? sigma[n - 1] : sigma[lo] + (sigma[lo + 1] - sigma[lo]) * (t - lo);
    }

    @Test
    void withoutNoiseItIsTheDeterministicUpdateInDoublePrecision() {
        try (Reference ref = Reference.load(); NDManager manager = NDManager.newBaseManager()) {
            JsonNode spec = firstListed(ref);
            Scheduler scheduler = eulerA(spec);
            SchedulerConfig c = scheduler.config();
            NDArray initial = ref.tensor(ref.testCase("schedulers").get("initial").asText(), manager);
            NDArray actual = SchedulerParityTest.runRule(scheduler, initial, ZERO);

            float[] ts = scheduler.timesteps();
            double[] x = new double[(int) initial.size()];
            float[] init = initial.toFloatArray();
            double sigmaMax = sigmaAt(c, ts[0]);
            boolean leading = c.values().get("timestep_spacing").equals("leading");
            for (int i = 0; i < x.length; i++) {
                x[i] = init[i] * (leading ? Math.sqrt(sigmaMax * sigmaMax + 1) : sigmaMax);
            }
            for (int k = 0; k < ts.length; k++) {
                double s = sigmaAt(c, ts[k]);
                double next = k + 1 < ts.length ? sigmaAt(c, ts[k + 1]) : 0;
                double up = Math.sqrt(next * next * (s * s - next * next) / (s * s));
                double down = Math.sqrt(next * next - up * up);
                for (int i = 0; i < x.length; i++) {
                    double eps = 0.3 * x[i] / Math.sqrt(s * s + 1) + 0.05 * Math.cos(ts[k] / 100.0);
                    double x0 = x[i] - s * eps;
                    x[i] = x[i] + (x[i] - x0) / s * (down - s);
                }
            }
            float[] expected = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                expected[i] = (float) x[i];
            }
            Reference.assertClose("euler_a without noise", actual,
                    manager.create(expected, initial.getShape()), ref.tolerance("float32"));
        }
    }

    @Test
    void seededRunsRepeatAndAddTheClaimedVariance() {
        try (Reference ref = Reference.load(); NDManager manager = NDManager.newBaseManager()) {
            JsonNode spec = firstListed(ref);
            Shape shape = new Shape(1, 4, 32, 32);
            float[] a = pureNoiseRun(eulerA(spec), manager, shape, 42);
            float[] b = pureNoiseRun(eulerA(spec), manager, shape, 42);
            float[] other = pureNoiseRun(eulerA(spec), manager, shape, 43);
            assertArrayEquals(a, b, 0f, "same seed, same run");
            assertFalse(Arrays.equals(a, other), "another seed, another run");

            // With a model that predicts no noise, x̂₀ = x and each step only adds σ_up·z: the final variance is
            // σ_init² + Σ σ_up², computed here from the scheduler's own timesteps in double precision.
            Scheduler s = eulerA(spec);
            float[] ts = s.timesteps();
            double variance = s.initNoiseSigma() * (double) s.initNoiseSigma();
            for (int k = 0; k < ts.length; k++) {
                double from = sigmaAt(s.config(), ts[k]);
                double to = k + 1 < ts.length ? sigmaAt(s.config(), ts[k + 1]) : 0;
                variance += to * to * (from * from - to * to) / (from * from);
            }
            double sum = 0;
            double sumSq = 0;
            for (float v : a) {
                sum += v;
                sumSq += v * (double) v;
            }
            double mean = sum / a.length;
            double std = Math.sqrt(sumSq / a.length - mean * mean);
            assertEquals(Math.sqrt(variance), std, 0.05 * Math.sqrt(variance), "final std");
            assertTrue(Math.abs(mean) < 0.1 * Math.sqrt(variance), "final mean " + mean);
        }
    }

    /** A run whose model output is zero, noise from TorchGenerator(seed): initial latents, then step noise. */
    private static float[] pureNoiseRun(Scheduler scheduler, NDManager manager, Shape shape, long seed) {
        TorchGenerator generator = new TorchGenerator(seed);
        try (NDManager run = manager.newSubManager()) {
            NDArray x = generator.randn(run, shape).mul(scheduler.initNoiseSigma());
            for (float t : scheduler.timesteps()) {
                x = scheduler.step(run.zeros(shape), t, x, generator);
            }
            return x.toFloatArray();
        }
    }

    @Test
    void refusesToRunWithoutANoiseSource() {
        try (Reference ref = Reference.load(); NDManager manager = NDManager.newBaseManager()) {
            Scheduler s = eulerA(firstListed(ref));
            NDArray x = manager.zeros(new Shape(1, 4, 2, 2));
            float t = s.timesteps()[0];
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.step(x, t, x, null));
            assertTrue(e.getMessage().contains("noise"), e.getMessage());
        }
    }
}
