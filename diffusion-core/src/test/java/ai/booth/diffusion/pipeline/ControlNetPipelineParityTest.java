package ai.booth.diffusion.pipeline;

import ai.booth.diffusion.loader.DiffusersFolderLoader;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.testing.ControlNetToLdm;
import ai.booth.diffusion.testing.PipelineCase;
import ai.booth.diffusion.testing.Reference;
import ai.booth.diffusion.tokenizer.CLIPTokenizer;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.List;

/**
 * The reference {@code cn_pipeline} and {@code cn_pipeline_guess} cases: diffusers' StableDiffusionControlNetPipeline
 * end to end (prompt, scheduler, guidance, conditioning scale, guidance window, guess mode and the control image all
 * from reference.json), with the ControlNet as a diffusers folder and as an A1111 single file.
 */
class ControlNetPipelineParityTest {

    private static Reference ref;
    private static StableDiffusionModel model;

    @BeforeAll
    static void load() {
        ref = Reference.load("controlnet");
        model = DiffusersFolderLoader.load(ref.modelDir(), EngineOptions.defaults());
    }

    @AfterAll
    static void close() {
        model.close();
        ref.close();
    }

    /** The case's ControlNet unit. */
    static ControlNetRequest unit(Reference ref, JsonNode c, Path controlNet) {
        return new ControlNetRequest(controlNet, PipelineCase.controlImage(ref, c), "none",
                c.get("controlnet_conditioning_scale").asDouble(), c.get("control_guidance_start").asDouble(),
                c.get("control_guidance_end").asDouble(), c.get("guess_mode").asBoolean());
    }

    @ParameterizedTest(name = "{0} with the ControlNet as {1}")
    @CsvSource({"cn_pipeline, folder", "cn_pipeline_guess, folder", "cn_pipeline, single file",
            "cn_pipeline_guess, single file"})
    void matchesDiffusersControlNetPipeline(String caseName, String layout, @TempDir Path dir) {
        JsonNode c = ref.testCase(caseName);
        Path controlNet = ref.dir().resolve("model");
        if (layout.equals("single file")) {
            controlNet = dir.resolve("control_tiny.safetensors");
            ControlNetToLdm.write(ref.dir().resolve("model"), model.unet().config(), controlNet, "control_model.");
        }
        GenerationParams p = PipelineParityTest.request(ref, c, dir.resolve("latents.safetensors"),
                model.vae().config().downscale()).toBuilder().controlNets(List.of(unit(ref, c, controlNet))).build();
        try (NDManager m = NDManager.newBaseManager(Device.cpu());
             TextToImagePipeline pipeline = new TextToImagePipeline(model,
                     CLIPTokenizer.fromFolder(model.tokenizerDir().orElseThrow()), PipelineCase.schedulerConfig(c, caseName))) {
            ImageResult image = pipeline.generate(p).images().get(0);
            NDArray actual = m.create(image.pixels(), new Shape(1, 3, image.height(), image.width()));
            Reference.assertClose(caseName + " (" + layout + ")", actual, ref.tensor(PipelineCase.output(c), m),
                    ref.tolerance("pipeline"));
        }
    }
}
