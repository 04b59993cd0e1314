package ai.booth.diffusion.pipeline;

import ai.booth.diffusion.loader.DiffusersFolderLoader;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.testing.PipelineCase;
import ai.booth.diffusion.testing.Reference;
import ai.djl.Device;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ControlNets in the pipeline beyond the reference cases, exactly (no tolerance): with a LoRA at its UNet and
 * text-encoder scales, several units add up, scale 0 and a window with no step in it change nothing.
 */
class ControlNetBehaviourTest {

    private static Reference ref;
    private static Reference main;
    private static StableDiffusionModel model;
    private static TextToImagePipeline pipeline;

    @BeforeAll
    static void load() {
        ref = Reference.load("controlnet");
        main = Reference.load();
        model = DiffusersFolderLoader.load(ref.modelDir(), EngineOptions.defaults());
        pipeline = TextToImagePipeline.of(model);
    }

    @AfterAll
    static void close() {
        pipeline.close();
        model.close();
        main.close();
        ref.close();
    }

    /** Two steps with the main set's LoRA at its case scales, guidance on, seed fixed. */
    private static GenerationParams request(ControlNetRequest... units) {
        JsonNode c = main.testCase("pipeline_lora");
        return GenerationParams.builder(ref.testCase("cn_pipeline").get("prompt").asText()).steps(2).seed(3)
                .guidanceScale(5).loras(List.of(new LoraRequest(main.dir().resolve(c.get("lora").asText()),
                        c.get("unet_scale").floatValue(), c.get("text_encoder_scale").floatValue())))
                .controlNets(List.of(units)).build();
    }

    private static float[] pixels(GenerationParams p) {
        return pipeline.generate(p).images().get(0).pixels();
    }

    private static ControlNetRequest unit(double scale, double start, double end, boolean guess) {
        Path image = PipelineCase.controlImage(ref, ref.testCase("cn_pipeline"));
        return new ControlNetRequest(ref.dir().resolve("model"), image, "none", scale, start, end, guess);
    }

    @Test
    void twoUnitsAtHalfScaleEqualOneAtFullScaleAndScaleZeroOrAnEmptyWindowEqualsNone() {
        float[] plain = pixels(request());
        float[] full = pixels(request(unit(1, 0, 1, false)));
        assertFalse(java.util.Arrays.equals(plain, full), "a ControlNet changes the image");
        assertArrayEquals(full, pixels(request(unit(0.5, 0, 1, false), unit(0.5, 0, 1, false))),
                "residuals add up (halving is exact in float)");
        assertArrayEquals(plain, pixels(request(unit(0, 0, 1, false))), "scale 0");
        assertArrayEquals(plain, pixels(request(unit(1, 0, 0.4, true))), "of 2 steps, none ends by 0.4");
    }

    private static int liveArrays() {
        try (NDManager probe = NDManager.newBaseManager(Device.cpu())) {
            return ((BaseNDManager) probe.getParentManager()).getManagedArrays().size();
        }
    }

    @Test
    void stepsWithControlNetsLeaveNothingBehind() {
        GenerationParams p = request(unit(0.5, 0, 1, false), unit(1, 0.2, 0.9, true)).toBuilder().steps(6)
                .scheduler("ddim").build();
        // warm-up, every unit at every step: ControlNet loaded, per-size caches (guess mode runs batch 1)
        pixels(request(unit(0.5, 0, 1, false), unit(1, 0, 1, true)).toBuilder().steps(2).build());
        int before = liveArrays();
        List<Integer> during = new ArrayList<>();
        pipeline.generate(p, (step, all, t, elapsed) -> during.add(liveArrays()), () -> false);
        assertEquals(1, new HashSet<>(during).size(), "live arrays grew during the run " + during);
        assertEquals(before, liveArrays(), "arrays left after the run");
    }

    @Test
    void theInfotextCarriesEachUnitAndParsesBack() {
        GenerationParams p = request(unit(0.75, 0.1, 0.9, true), unit(1, 0, 1, false));
        String text = Infotext.format(p, "m", "0123456789abcdef", java.util.Map.of(), java.util.Map.of("model",
                "d14c016b"), java.util.Map.of());
        assertTrue(text.contains("ControlNet 0: \"Module: none, Model: model [d14c016b], Weight: 0.75, "
                + "Guidance Start: 0.1, Guidance End: 0.9, Guess Mode: True\""), text);
        GenerationParams back = Infotext.parse(text, name -> Path.of(name), name -> ref.dir().resolve(name));
        assertTrue(back.controlNets().equals(List.of(p.controlNets().get(0).withImage(null),
                p.controlNets().get(1).withImage(null))), back.controlNets().toString());
    }

    @Test
    void a1111sControlNetFieldsAreRead() {
        String text = "a dog\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1, Size: 512x512, "
                + "ControlNet 0: \"Module: canny, Model: control_v11p_sd15_canny [d14c016b], Weight: 0.9, "
                + "Resize Mode: Crop and Resize, Low Vram: False, Processor Res: 512, Threshold A: 100, Threshold B: "
                + "200, Guidance Start: 0.1, Guidance End: 0.7, Pixel Perfect: False, Control Mode: Balanced\"";
        GenerationParams p = Infotext.parse(text, Path::of, name -> Path.of("/cn", name + ".safetensors"));
        assertTrue(p.controlNets().equals(List.of(new ControlNetRequest(
                Path.of("/cn/control_v11p_sd15_canny.safetensors"), null, "canny", 0.9, 0.1, 0.7, false))),
                p.controlNets().toString());
    }

    @Test
    void badUnitsAreRefusedNamingTheField() {
        assertThrows(IllegalArgumentException.class, () -> unit(1, 0.5, 0.5, false));
        assertThrows(IllegalArgumentException.class, () -> unit(-1, 0, 1, false));
        GenerationParams noImage = request(unit(1, 0, 1, false).withImage(null));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> pipeline.generate(noImage)).getMessage()
                .contains("control image"));
    }
}
