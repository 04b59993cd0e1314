package ai.booth.diffusion.scheduler;

import ai.booth.diffusion.runtime.NoiseSource;
import ai.booth.diffusion.testing.Reference;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * reference.json's {@code schedulers} case: every scheduler it lists, built from its config and run with the
 * case's rule, against diffusers' timesteps and final sample. The fixture's scheduler names are Booth names
 * (ddim, pndm, euler, dpmpp_2m, dpmpp_2m_karras); {@link Schedulers#create} resolves them, so the mapping from
 * fixture name to factory name lives in one place, the factory's alias table.
 */
class SchedulerParityTest {

    /** The case's rule: x = initial·σ_init; per t: eps = 0.3·scale(x, t) + 0.05·cos(t/100); x = step(eps, t, x). */
    static NDArray runRule(Scheduler scheduler, NDArray initial, NoiseSource noise) {
        NDManager root = initial.getManager();
        NDArray x = initial.mul(scheduler.initNoiseSigma());
        for (float t : scheduler.timesteps()) {
            try (NDManager step = root.newSubManager()) {
                x.attach(step);                       // the previous sample is freed with this step
                NDArray xin = scheduler.scaleModelInput(x, t);
                NDArray eps = xin.mul(0.3f).add(0.05f * (float) Math.cos(t / 100f));
                x = scheduler.step(eps, t, x, noise);
                x.attach(root);
            }
        }
        return x;
    }

    @TestFactory
    List<DynamicTest> everyListedSchedulerMatchesDiffusers() {
        Reference ref = Reference.load();
        JsonNode testCase = ref.testCase("schedulers");
        Reference.Tolerance tol = ref.tolerance("float32");
        List<DynamicTest> tests = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = testCase.get("schedulers").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode spec = e.getValue();
            tests.add(DynamicTest.dynamicTest(name, () -> {
                try (NDManager manager = NDManager.newBaseManager()) {
                    Scheduler scheduler = Schedulers.create(name,
                            SchedulerConfig.fromJson(spec.get("config"), "reference.json schedulers." + name), Map.of());
                    scheduler.setTimesteps(spec.get("steps").asInt());
                    NDArray expectedT = ref.tensor("sched." + name + ".timesteps", manager);
                    Reference.assertClose(name + " timesteps", manager.create(scheduler.timesteps()), expectedT, tol);
                    NDArray initial = ref.tensor(testCase.get("initial").asText(), manager);
                    NDArray x = runRule(scheduler, initial, null);
                    Reference.assertClose(name + " final", x, ref.tensor("sched." + name + ".final", manager), tol);
                }
            }));
        }
        assertFalse(tests.isEmpty(), "reference.json lists no schedulers");
        return tests;
    }
}
