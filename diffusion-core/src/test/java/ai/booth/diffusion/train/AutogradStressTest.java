package ai.booth.diffusion.train;

import ai.booth.diffusion.loader.DiffusersFolderLoader;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.testing.Reference;
import ai.booth.diffusion.testing.ReferenceChecks;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Backward must read exactly what forward wrote, whatever else the JVM and libtorch do meanwhile. The reference
 * {@code training_step} case (two DreamBooth LoRA steps with prior preservation, text encoder trained too) runs
 * {@value #RUNS} times while another thread allocates and frees arrays over Java buffers, collects garbage and churns
 * the heap; between each forward and its backward, managers holding unrelated arrays are closed and the collector
 * runs. Every run must give the first run's losses, gradients and factors bit for bit, and the first run must match
 * the reference. A graph that held a freed or overwritten tensor fails this on any machine.
 */
class AutogradStressTest {

    private static final int RUNS = 20;

    private static Reference ref;
    private static StableDiffusionModel model;
    private static TrainingStepCase trainingCase;

    @BeforeAll
    static void load() {
        ref = Reference.load();
        model = DiffusersFolderLoader.load(ref.modelDir(), EngineOptions.defaults());
        trainingCase = new TrainingStepCase(ref, model);
    }

    @AfterAll
    static void close() {
        model.close();
        ref.close();
    }

    @Test
    void twoTrainingStepsAreBitIdenticalOnEveryRunUnderGarbageCollectionAndAllocationChurn() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        Thread churn = new Thread(() -> churn(stop), "allocation-churn");
        churn.setDaemon(true);
        churn.start();
        try (NDManager m = NDManager.newBaseManager()) {
            Run first = null;
            for (int i = 0; i < RUNS; i++) {
                Run run = run(m);
                if (first == null) {
                    first = run;
                    matchesTheReference(run, m);
                } else {
                    assertArrayEquals(first.losses, run.losses, "losses of run " + i);
                    for (String name : first.gradients.keySet()) {
                        assertArrayEquals(first.gradients.get(name), run.gradients.get(name),
                                "gradient " + name + " of run " + i);
                        assertArrayEquals(first.factors.get(name), run.factors.get(name),
                                "factor " + name + " after two steps of run " + i);
                    }
                }
            }
        } finally {
            stop.set(true);
            churn.join();
        }
    }

    /** What one run produced: loss bits of both steps, step-1 gradients, factors after step 2. */
    private record Run(int[] losses, Map<String, float[]> gradients, Map<String, float[]> factors) { }

    private static Run run(NDManager m) {
        try (NDManager scratch = m.newSubManager()) {
            return trainingCase.withStep(scratch, new ReferenceChecks(ref, scratch), (step, batch) -> {
                List<NDManager> unrelated = unrelatedManagers(m);
                step.beforeBackward(() -> {
                    unrelated.forEach(NDManager::close);
                    System.gc();
                });
                TrainingStep.Losses l1 = step.accumulate(batch, 1.0);
                Map<String, float[]> gradients = new LinkedHashMap<>();
                step.lora().gradients(scratch).forEach((name, g) -> gradients.put(name, g.toFloatArray()));
                step.apply(trainingCase.lrs());

                List<NDManager> more = unrelatedManagers(m);
                step.beforeBackward(() -> {
                    more.forEach(NDManager::close);
                    System.gc();
                });
                TrainingStep.Losses l2 = step.accumulate(batch, 1.0);
                step.apply(trainingCase.lrs());
                Map<String, float[]> factors = new LinkedHashMap<>();
                step.lora().parameters().forEach((name, p) -> factors.put(name, p.toFloatArray()));
                int[] losses = {Float.floatToRawIntBits(l1.total()), Float.floatToRawIntBits(l1.instance()),
                        Float.floatToRawIntBits(l1.prior()), Float.floatToRawIntBits(l2.total())};
                return new Run(losses, gradients, factors);
            });
        }
    }

    private static void matchesTheReference(Run run, NDManager m) {
        ReferenceChecks checks = new ReferenceChecks(ref, m);
        Reference.Tolerance tol = ref.tolerance("training");
        String[] lossNames = {"train.loss", "train.loss_instance", "train.loss_prior", "train.loss2"};
        for (int i = 0; i < lossNames.length; i++) {
            checks.compare(lossNames[i], m.create(Float.intBitsToFloat(run.losses[i])), tol);
        }
        assertEquals(ref.tensorNames().stream().filter(n -> n.startsWith("train.grad.")).count(),
                run.gradients.size(), "one gradient per reference gradient");
        run.gradients.forEach((name, g) -> checks.compare("train.grad." + name, m.create(g), tol));
    }

    /** Managers holding arrays over Java buffers, to be closed between a forward and its backward. */
    private static List<NDManager> unrelatedManagers(NDManager parent) {
        List<NDManager> managers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            NDManager u = parent.newSubManager();
            u.create(new float[1 << 14]).add(1f).mul(3f);
            managers.add(u);
        }
        return managers;
    }

    /** Allocates and frees Java-buffer arrays and heap garbage, collecting now and then, until stopped. */
    @SuppressWarnings("BusyWait")
    private static void churn(AtomicBoolean stop) {
        List<byte[]> garbage = new ArrayList<>();
        for (int i = 0; !stop.get(); i++) {
            try (NDManager u = NDManager.newBaseManager()) {
                float[] data = new float[1 << 12];
                data[i % data.length] = i;
                u.create(data).mul(2f).add(1f).sum();
            }
            garbage.add(new byte[1 << 16]);
            if (garbage.size() > 64) {
                garbage.clear();
            }
            if (i % 50 == 0) {
                System.gc();
            }
            try {
                Thread.sleep(1);   // churn, not a busy loop starving the training thread on 2 cores
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
