package ai.booth.diffusion.scheduler;

import ai.booth.diffusion.runtime.TorchGenerator;
import ai.booth.diffusion.testing.Reference;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One instance serves run after run; steps leave nothing behind in the caller's manager. */
class SchedulerLifecycleTest {

    private static SchedulerConfig modelConfig() {
        return SchedulerConfig.fromFile(Reference.fixturesDir().resolve("model/scheduler/scheduler_config.json"));
    }

    @Test
    void aSecondRunOnTheSameInstanceRepeatsTheFirst() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray initial = new TorchGenerator(1).randn(manager, new Shape(1, 4, 4, 4));
            for (String name : Schedulers.names()) {
                Scheduler s = Schedulers.create(name, modelConfig(), Map.of());
                s.setTimesteps(7);
                float[] first = SchedulerParityTest.runRule(s, initial, new TorchGenerator(2)).toFloatArray();
                s.setTimesteps(7);
                float[] second = SchedulerParityTest.runRule(s, initial, new TorchGenerator(2)).toFloatArray();
                assertArrayEquals(first, second, 0f, name);
            }
        }
    }

    @Test
    void aStepAddsOnlyItsResultToTheCallersManager() {
        try (NDManager manager = NDManager.newBaseManager()) {
            TorchGenerator noise = new TorchGenerator(3);
            for (String name : Schedulers.names()) {
                Scheduler s = Schedulers.create(name, modelConfig(), Map.of());
                s.setTimesteps(5);
                NDArray x = noise.randn(manager, new Shape(1, 4, 4, 4));
                for (float t : s.timesteps()) {
                    NDArray eps = s.scaleModelInput(x, t).mul(0.3f);
                    int before = manager.getManagedArrays().size();
                    NDArray next = s.step(eps, t, x, noise);
                    assertEquals(before + 1, manager.getManagedArrays().size(), name + " at t=" + t);
                    x = next;
                }
            }
        }
    }

    @Test
    void runsOfOneAndTwoStepsEndFinite() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray initial = new TorchGenerator(5).randn(manager, new Shape(1, 4, 3, 3));
            for (String name : Schedulers.names()) {
                for (int steps = 1; steps <= 2; steps++) {
                    Scheduler s = Schedulers.create(name, modelConfig(), Map.of());
                    s.setTimesteps(steps);
                    float[] x = SchedulerParityTest.runRule(s, initial, new TorchGenerator(6)).toFloatArray();
                    for (float v : x) {
                        assertTrue(Float.isFinite(v), name + " with " + steps + " steps: " + v);
                    }
                }
            }
        }
    }

    @Test
    void stepBeforeSetTimestepsAndBadStepCountsAreRefused() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.zeros(new Shape(1, 4, 2, 2));
            for (String name : Schedulers.names()) {
                Scheduler s = Schedulers.create(name, modelConfig(), Map.of());
                if (!name.equals("ddpm")) {   // DDPM steps over the full training schedule by default, as diffusers
                    assertThrows(IllegalStateException.class, () -> s.step(x, 1, x, null), name);
                }
                assertThrows(IllegalArgumentException.class, () -> s.setTimesteps(0), name);
                assertThrows(IllegalArgumentException.class, () -> s.setTimesteps(100_000), name);
            }
        }
    }
}
