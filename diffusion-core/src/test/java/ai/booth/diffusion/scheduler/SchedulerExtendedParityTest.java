package ai.booth.diffusion.scheduler;

import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.runtime.NoiseSource;
import ai.booth.diffusion.runtime.TorchGenerator;
import ai.booth.diffusion.testing.Reference;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Configurations the sd-tiny fixture does not cover (PRK warm-up, Karras and log-linear Euler, Euler ancestral,
 * DPM-Solver orders 1–3, SDE variants, heun, v-prediction, thresholding, λ clipping, zero-terminal-SNR, DDPM
 * sampling, every timestep spacing) against diffusers v0.21.4's own scheduler code.
 *
 * <p>{@code diffusers-schedulers.safetensors} was written by running the unmodified v0.21.4 scheduler modules
 * (with stubs for their package imports) on Debian's python3-torch 1.13.1; the file's metadata lists every case's
 * full config, step count, noise seed and DDIM eta, and describes the rule (the schedulers case's rule, with
 * stochastic samplers given {@code torch.Generator("cpu").manual_seed(noiseSeed)}). Stochastic cases draw the same
 * noise here through {@link TorchGenerator}, which is bit-exact with torch.
 */
class SchedulerExtendedParityTest {

    @TestFactory
    List<DynamicTest> matchesDiffusersOnExtraConfigurations() throws Exception {
        Path file = Path.of(getClass().getResource("/diffusers-schedulers.safetensors").toURI());
        Reference.Tolerance tol = Reference.load().tolerance("float32");
        List<DynamicTest> tests = new ArrayList<>();
        try (SafeTensors ref = SafeTensors.open(file)) {
            JsonNode cases = new ObjectMapper().readTree(ref.metadata().get("cases"));
            for (JsonNode c : cases) {
                String name = c.get("name").asText();
                tests.add(DynamicTest.dynamicTest(name, () -> {
                    try (SafeTensors tensors = SafeTensors.open(file);
                         NDManager manager = NDManager.newBaseManager()) {
                        Map<String, Object> overrides = new HashMap<>();
                        if (c.get("eta").asDouble() != 0) {
                            overrides.put("eta", c.get("eta").asDouble());
                        }
                        Scheduler scheduler = Schedulers.create(c.get("className").asText(),
                                SchedulerConfig.fromJson(c.get("config"), name), overrides);
                        scheduler.setTimesteps(c.get("steps").asInt());
                        NoiseSource noise = c.get("noiseSeed").isNull() ? null
                                : new TorchGenerator(c.get("noiseSeed").asLong());
                        Reference.assertClose(name + " timesteps", manager.create(scheduler.timesteps()),
                                tensors.load(name + ".timesteps", manager), tol);
                        NDArray initial = tensors.load("initial", manager).reshape(new Shape(1, 4, 8, 8));
                        NDArray x = SchedulerParityTest.runRule(scheduler, initial, noise);
                        Reference.assertClose(name + " final", x.flatten(), tensors.load(name + ".final", manager),
                                tol);
                    }
                }));
            }
        }
        assertTrue(tests.size() >= 20, "only " + tests.size() + " cases in the file");
        return tests;
    }
}
