package ai.booth.diffusion.pipeline;

import ai.booth.diffusion.loader.DiffusersFolderLoader;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.runtime.EngineOptions;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The reference {@code pipeline} and {@code pipeline_lora} cases: full text-to-image runs against diffusers' float
 * image. Prompt, negative prompt, steps, guidance, scheduler (its name from the case's description, its config from
 * the case's {@code scheduler_config}), LoRA file and scales and the initial latents all come from reference.json.
 */
class PipelineParityTest {

    private static Reference ref;
    private static StableDiffusionModel model;

    @BeforeAll
    static void load() {
        ref = Reference.load();
        model = DiffusersFolderLoader.load(ref.modelDir(), EngineOptions.defaults());
    }

    @AfterAll
    static void close() {
        model.close();
        ref.close();
    }

    /** A case's request, the initial latents written to a file as a user would pass them. */
    static GenerationParams request(Reference ref, JsonNode c, Path latentsFile, int downscale) {
        long[] s = PipelineCase.writeInitialLatents(ref, c, latentsFile);
        GenerationParams.Builder b = GenerationParams.builder(c.get("prompt").asText())
                .negativePrompt(c.get("negative_prompt").asText())
                .steps(c.get("steps").asInt())
                .guidanceScale(c.get("guidance_scale").asDouble())
                .scheduler(PipelineCase.schedulerLabel(c))
                .seed(0)
                .imagesPerPrompt((int) s[0])
                .size((int) s[3] * downscale, (int) s[2] * downscale)
                .initialLatents(latentsFile);
        if (c.has("lora")) {
            b.loras(List.of(new LoraRequest(ref.dir().resolve(c.get("lora").asText()),
                    c.get("unet_scale").floatValue(), c.get("text_encoder_scale").floatValue())));
        }
        return b.build();
    }

    @ParameterizedTest
    @ValueSource(strings = {"pipeline", "pipeline_lora"})
    void matchesDiffusers(String caseName) throws Exception {
        JsonNode c = ref.testCase(caseName);
        Path latents = Files.createTempFile("latents", ".safetensors");
        try (NDManager m = NDManager.newBaseManager(Device.cpu());
             TextToImagePipeline pipeline = new TextToImagePipeline(model,
                     CLIPTokenizer.fromFolder(model.tokenizerDir().orElseThrow()), PipelineCase.schedulerConfig(c, caseName))) {
            GenerationResult result = pipeline.generate(request(ref, c, latents, model.vae().config().downscale()));
            NDArray expected = ref.tensor(PipelineCase.output(c), m);
            ImageResult image = result.images().get(0);
            NDArray actual = m.create(image.pixels(), new Shape(1, 3, image.height(), image.width()));
            Reference.assertClose(caseName, actual, expected, ref.tolerance("pipeline"));
        } finally {
            Files.deleteIfExists(latents);
        }
    }
}
