package ai.booth.cli;

import ai.booth.diffusion.loader.DiffusersFolderLoader;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.pipeline.ImageResult;
import ai.booth.diffusion.pipeline.GenerationParams;
import ai.booth.diffusion.pipeline.LoraRequest;
import ai.booth.diffusion.pipeline.PipelineAssets;
import ai.booth.diffusion.pipeline.TextToImagePipeline;
import ai.booth.diffusion.runtime.EngineOptions;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Renders one row of an experiment's sheet: the base model, a LoRA variant on it, or a full variant's own model. */
final class ExperimentRenders {

    private ExperimentRenders() {
    }

    /**
     * @param base    the experiment's ./booth train options (model, device, resolution)
     * @param variant a variant's output folder; null renders the base model alone
     * @return prompt-major: every seed of the first prompt, then of the next
     */
    static List<ImageResult> render(TrainCommand base, Path variant, List<String> prompts, List<Long> seeds,
                                       int steps, double guidance, PrintWriter err) {
        Path fullModel = variant == null ? null : variant.resolve("model");
        boolean full = fullModel != null && Files.isDirectory(fullModel);
        Path lora = variant == null || full ? null : variant.resolve("pytorch_lora_weights.safetensors");
        if (lora != null && !Files.isRegularFile(lora)) {
            throw new IllegalStateException(variant + " holds neither a model/ folder nor a LoRA to render with");
        }
        err.printf("rendering %s: %d prompts × %d seeds%n", variant == null ? "the base model" : variant.getFileName(),
                prompts.size(), seeds.size());
        try (StableDiffusionModel sd = full ? DiffusersFolderLoader.load(fullModel,
                EngineOptions.parse(base.model.device, base.model.dtype)) : base.model.load()) {
            PipelineAssets assets = full ? PipelineAssets.resolve(sd, CliHome.demoTokenizer(), null)
                    : base.model.assets(sd);
            try (TextToImagePipeline pipeline = new TextToImagePipeline(sd, assets)) {
                int size = base.resolution != null ? base.resolution : pipeline.defaultSize();
                List<ImageResult> images = new ArrayList<>();
                for (String prompt : prompts) {
                    for (long seed : seeds) {
                        GenerationParams.Builder params = GenerationParams.builder(prompt).seed(seed).steps(steps)
                                .guidanceScale(guidance).size(size, size);
                        if (lora != null) {
                            params.loras(List.of(new LoraRequest(lora, 1f, 1f)));
                        }
                        images.addAll(pipeline.generate(params.build()).images());
                    }
                }
                return images;
            }
        }
    }
}
