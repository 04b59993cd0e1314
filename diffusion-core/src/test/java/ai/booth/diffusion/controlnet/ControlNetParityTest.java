package ai.booth.diffusion.controlnet;

import ai.booth.diffusion.loader.ControlNetLoader;
import ai.booth.diffusion.loader.DiffusersFolderLoader;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.runtime.NoGrad;
import ai.booth.diffusion.testing.CaseTensors;
import ai.booth.diffusion.testing.ControlNetToLdm;
import ai.booth.diffusion.testing.Reference;
import ai.booth.diffusion.unet.ControlResiduals;
import ai.djl.Device;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The reference {@code controlnet} case: ControlNet residuals for given latents, timesteps, text and control image at
 * the case's conditioning scale, and the UNet with them added — from the diffusers folder and from the same weights
 * written as an A1111 single file (with and without {@code control_model.}).
 */
class ControlNetParityTest {

    private static Reference ref;
    private static StableDiffusionModel sd;

    @BeforeAll
    static void load() {
        ref = Reference.load("controlnet");
        sd = DiffusersFolderLoader.load(ref.modelDir(), EngineOptions.defaults());
    }

    @AfterAll
    static void close() {
        sd.close();
        ref.close();
    }

    @Test
    void diffusersFolderGivesDiffusersResidualsAndUNetOutput() {
        try (ControlNetModel cn = ControlNetLoader.load(ref.dir().resolve("model"), sd.unet().config(),
                EngineOptions.defaults())) {
            check(cn, "diffusers folder");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"control_model.", ""})
    void singleFileInLdmLayoutGivesTheSameResiduals(String prefix, @TempDir Path dir) {
        Path file = dir.resolve("control_tiny.safetensors");
        ControlNetToLdm.write(ref.dir().resolve("model"), ControlNetToLdm.baseUnet(ref), file, prefix);
        try (ControlNetModel cn = ControlNetLoader.load(file, sd.unet().config(), EngineOptions.defaults())) {
            check(cn, "LDM single file, prefix '" + prefix + "'");
        }
    }

    @Test
    void forwardLeavesOnlyItsResidualsInTheCallersManager() {
        JsonNode c = ref.testCase("controlnet");
        List<String> inputs = new ArrayList<>();
        c.get("inputs").forEach(n -> inputs.add(CaseTensors.name(n.asText())));
        try (ControlNetModel cn = ControlNetLoader.load(ref.dir().resolve("model"), sd.unet().config(),
                EngineOptions.defaults());
             NoGrad g = NoGrad.enter(); NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray sample = ref.tensor(inputs.get(0), m);
            NDArray t = ref.tensor(inputs.get(1), m);
            NDArray text = ref.tensor(inputs.get(2), m);
            NDArray cond = ref.tensor(inputs.get(3), m).repeat(0, sample.getShape().get(0));
            Runnable run = () -> sd.unet().forward(sample, t, text, cn.forward(sample, t, text, cond, 1.0, true));
            run.run();  // per-size caches
            int before = ((BaseNDManager) m).getManagedArrays().size();
            run.run();
            int residuals = c.get("outputs").size();
            assertEquals(before + residuals + 1, ((BaseNDManager) m).getManagedArrays().size(),
                    "the residuals and the UNet output, nothing else");
        }
    }

    private static void check(ControlNetModel cn, String what) {
        JsonNode c = ref.testCase("controlnet");
        List<String> inputs = new ArrayList<>();
        c.get("inputs").forEach(n -> inputs.add(CaseTensors.name(n.asText())));
        try (NoGrad g = NoGrad.enter(); NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray sample = ref.tensor(inputs.get(0), m);
            NDArray t = ref.tensor(inputs.get(1), m);
            NDArray text = ref.tensor(inputs.get(2), m);
            NDArray cond = ref.tensor(inputs.get(3), m);
            long batch = sample.getShape().get(0);
            cond = cond.repeat(0, batch / cond.getShape().get(0));
            ControlResiduals r = cn.forward(sample, t, text, cond, c.get("conditioning_scale").asDouble(), false);
            JsonNode outputs = c.get("outputs");
            assertEquals(outputs.size() - 1, r.down().size(), what + ": down residuals");
            Reference.Tolerance tol = ref.tolerance("float32");
            for (int i = 0; i < r.down().size(); i++) {
                String name = CaseTensors.name(outputs.get(i).asText());
                Reference.assertClose(what + " " + name, r.down().get(i), ref.tensor(name, m), tol);
            }
            String mid = CaseTensors.name(outputs.get(outputs.size() - 1).asText());
            Reference.assertClose(what + " " + mid, r.mid(), ref.tensor(mid, m), tol);
            String unetOut = CaseTensors.name(c.get("unet_with_residuals").asText());
            Reference.assertClose(what + " " + unetOut, sd.unet().forward(sample, t, text, r),
                    ref.tensor(unetOut, m), tol);
        }
    }
}
