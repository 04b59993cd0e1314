package ai.booth.cli;

import ai.booth.diffusion.loader.DiffusersFolderLoader;
import ai.booth.diffusion.loader.SingleFileLoader;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.pipeline.PipelineAssets;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.scheduler.SchedulerConfig;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;

/** Which model to load, how, and on what: shared by every command that runs the engine. */
final class ModelOptions {

    @Option(names = {"-m", "--model"}, paramLabel = "PATH",
            description = "A diffusers folder (with model_index.json) or a single .safetensors checkpoint "
                    + "(civitai/A1111). Default: Booth's tiny demo model, fixtures/sd-tiny/model.")
    Path model;

    @Option(names = "--config-from", paramLabel = "DIR",
            description = "For a single file: a diffusers folder whose configs, tokenizer and scheduler it uses "
                    + "(e.g. the SD-1.5 folder it was fine-tuned from).")
    Path configFrom;

    @Option(names = "--preset", paramLabel = "sd15|sd2",
            description = "For a single file without --config-from: the architecture preset (default: inferred "
                    + "from the tensor shapes, with SD-1.5's scheduler config).")
    String preset;

    @Option(names = "--scheduler-config", paramLabel = "FILE",
            description = "A scheduler_config.json to build samplers from instead of the model's.")
    Path schedulerConfig;

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|gpu[:N]",
            description = "Where to run (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--dtype", defaultValue = "float32", paramLabel = "float32|float16",
            description = "Weight and activation type (default: ${DEFAULT-VALUE}; float16 is for GPUs).")
    String dtype;

    Path modelPath() {
        return model != null ? model : CliHome.demoModel();
    }

    StableDiffusionModel load() {
        Path path = modelPath();
        EngineOptions options = EngineOptions.parse(device, dtype);
        if (configFrom != null && preset != null) {
            throw new IllegalArgumentException("give --config-from or --preset, not both");
        }
        if (Files.isDirectory(path)) {
            if (configFrom != null || preset != null) {
                throw new IllegalArgumentException("--config-from and --preset are for single files; " + path
                        + " is a folder with its own configs");
            }
            return DiffusersFolderLoader.load(path, options);
        }
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("--model " + path + " does not exist");
        }
        if (configFrom != null && !Files.isDirectory(configFrom)) {
            throw new IllegalArgumentException("--config-from " + configFrom + " is not a folder");
        }
        return SingleFileLoader.load(path, configFrom != null ? configFrom.toString() : preset, options);
    }

    /** The model's tokenizer and scheduler config, with Booth's fallbacks for single files. */
    PipelineAssets assets(StableDiffusionModel sd) {
        PipelineAssets assets = PipelineAssets.resolve(sd, CliHome.demoTokenizer(), preset);
        return schedulerConfig == null ? assets
                : new PipelineAssets(assets.tokenizer(), SchedulerConfig.fromFile(schedulerConfig));
    }
}
