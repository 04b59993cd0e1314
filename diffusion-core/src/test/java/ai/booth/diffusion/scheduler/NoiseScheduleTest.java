package ai.booth.diffusion.scheduler;

import ai.booth.diffusion.runtime.TorchGenerator;
import ai.booth.diffusion.testing.Reference;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class NoiseScheduleTest {

    private static Scheduler trainingScheduler(Reference ref) {
        return Schedulers.create("ddpm",
                SchedulerConfig.fromFile(ref.modelDir().resolve("scheduler/scheduler_config.json")), Map.of());
    }

    @Test
    void alphasCumprodMatchTheTrainingSchedule() {
        try (Reference ref = Reference.load(); NDManager manager = NDManager.newBaseManager()) {
            String name = ref.testCase("schedulers").get("training_alphas_cumprod").asText();
            Reference.assertClose("alphas_cumprod",
                    manager.create(trainingScheduler(ref).schedule().alphasCumprod()),
                    ref.tensor(name, manager), ref.tolerance("float32"));
        }
    }

    @Test
    void addNoiseMatchesTheTrainingStepsNoisyLatents() {
        try (Reference ref = Reference.load(); NDManager manager = NDManager.newBaseManager()) {
            NDArray noisy = trainingScheduler(ref).addNoise(ref.tensor("train.latents", manager),
                    ref.tensor("train.noise", manager), ref.tensor("train.timesteps", manager));
            Reference.assertClose("noisy latents", noisy, ref.tensor("train.noisy_latents", manager),
                    ref.tolerance("float32"));
        }
    }

    @Test
    void addNoiseAndVelocityFollowTheClosedForm() {
        try (Reference ref = Reference.load(); NDManager manager = NDManager.newBaseManager()) {
            Scheduler ddpm = trainingScheduler(ref);
            int last = ddpm.schedule().numTrainTimesteps() - 1;
            long[] t = {0, last / 2, last};
            TorchGenerator generator = new TorchGenerator(4);
            NDArray x0 = generator.randn(manager, new Shape(3, 4, 5, 5));
            NDArray eps = generator.randn(manager, new Shape(3, 4, 5, 5));
            NDArray timesteps = manager.create(t);
            NDArray xt = ddpm.addNoise(x0, eps, timesteps);
            NDArray v = ddpm.getVelocity(x0, eps, timesteps);
            float[] a = ddpm.schedule().alphasCumprod();
            float[] x0v = x0.toFloatArray();
            float[] epsv = eps.toFloatArray();
            float[] xtv = xt.toFloatArray();
            float[] vv = v.toFloatArray();
            int per = 4 * 5 * 5;
            for (int i = 0; i < xtv.length; i++) {
                double ab = a[(int) t[i / per]];
                double expectedXt = Math.sqrt(ab) * x0v[i] + Math.sqrt(1 - ab) * epsv[i];
                double expectedV = Math.sqrt(ab) * epsv[i] - Math.sqrt(1 - ab) * x0v[i];
                assertEquals(expectedXt, xtv[i], 1e-5, "x_t at " + i);
                assertEquals(expectedV, vv[i], 1e-5, "v at " + i);
                // v-parameterisation identity: x0 = √ᾱ·x_t − √(1−ᾱ)·v.
                assertEquals(x0v[i], Math.sqrt(ab) * xtv[i] - Math.sqrt(1 - ab) * vv[i], 1e-5, "x0 at " + i);
            }
        }
    }

    @Test
    void rejectsFractionalOrMismatchedTimesteps() {
        try (Reference ref = Reference.load(); NDManager manager = NDManager.newBaseManager()) {
            Scheduler ddpm = trainingScheduler(ref);
            NDArray x = manager.zeros(new Shape(2, 4, 2, 2));
            assertThrows(IllegalArgumentException.class,
                    () -> ddpm.addNoise(x, x, manager.create(new float[] {1.5f, 3f})));
            assertThrows(IllegalArgumentException.class, () -> ddpm.addNoise(x, x, manager.create(new long[] {1})));
            assertThrows(IllegalArgumentException.class,
                    () -> ddpm.addNoise(x, x, manager.create(new long[] {1, 100000})));
        }
    }
}
