package ai.booth.diffusion.pipeline;

import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.loader.DiffusersFolderLoader;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.scheduler.SchedulerConfig;
import ai.booth.diffusion.testing.CaseTensors;
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
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The reference {@code pipeline} and {@code pipeline_lora} cases: full text-to-image runs against diffusers' float
 * image. Prompt, negative prompt, steps, guidance, scheduler (its name from the case's description, its config from
 * the case's {@code scheduler_config}), LoRA file and scales and the initial latents all come from reference.json.
 */
class PipelineParityTest {

    /** The scheduler label the case's description starts with: "DDIM from ...", "DPM++ 2M Karras (...) from ...". */
    private static final Pattern SCHEDULER_LABEL = Pattern.compile("^\\s*(.+?)\\s*(?:\\(|\\bfrom\\b|$)");

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
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray latents = CaseTensors.load(ref, c.get("initial_latents").asText(), m);
            SafeTensors.write(latentsFile, Map.of("latents", latents), Map.of());
            Shape s = latents.getShape();
            GenerationParams.Builder b = GenerationParams.builder(c.get("prompt").asText())
                    .negativePrompt(c.get("negative_prompt").asText())
                    .steps(c.get("steps").asInt())
                    .guidanceScale(c.get("guidance_scale").asDouble())
                    .scheduler(schedulerLabel(c))
                    .seed(0)
                    .imagesPerPrompt((int) s.get(0))
                    .size((int) s.get(3) * downscale, (int) s.get(2) * downscale)
                    .initialLatents(latentsFile);
            if (c.has("lora")) {
                b.loras(List.of(new LoraRequest(ref.dir().resolve(c.get("lora").asText()),
                        c.get("unet_scale").floatValue(), c.get("text_encoder_scale").floatValue())));
            }
            return b.build();
        }
    }

    static String schedulerLabel(JsonNode c) {
        Matcher m = SCHEDULER_LABEL.matcher(c.get("scheduler").asText());
        if (!m.find()) {
            throw new IllegalStateException("cannot read a scheduler name from '" + c.get("scheduler").asText() + "'");
        }
        return m.group(1);
    }

    static SchedulerConfig schedulerConfig(JsonNode c, String caseName) {
        return SchedulerConfig.fromJson(c.get("scheduler_config"), "reference.json " + caseName + ".scheduler_config");
    }

    static String outputName(JsonNode c) {
        return CaseTensors.name(c.get("output").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"pipeline", "pipeline_lora"})
    void matchesDiffusers(String caseName) throws Exception {
        JsonNode c = ref.testCase(caseName);
        Path latents = Files.createTempFile("latents", ".safetensors");
        try (NDManager m = NDManager.newBaseManager(Device.cpu());
             TextToImagePipeline pipeline = new TextToImagePipeline(model,
                     CLIPTokenizer.fromFolder(model.tokenizerDir().orElseThrow()), schedulerConfig(c, caseName))) {
            GenerationResult result = pipeline.generate(request(ref, c, latents, model.vae().config().downscale()));
            NDArray expected = ref.tensor(outputName(c), m);
            GeneratedImage image = result.images().get(0);
            NDArray actual = m.create(image.pixels(), new Shape(1, 3, image.height(), image.width()));
            Reference.assertClose(caseName, actual, expected, ref.tolerance("pipeline"));
        } finally {
            Files.deleteIfExists(latents);
        }
    }
}
