package ai.booth.diffusion.pipeline;

import ai.booth.diffusion.loader.ModelConfigs;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.scheduler.SchedulerConfig;
import ai.booth.diffusion.tokenizer.CLIPTokenizer;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What a pipeline needs besides the three networks: the tokenizer and the model's scheduler config (the base every
 * scheduler choice is built from, as diffusers' {@code from_config}). A diffusers folder has both; a single
 * checkpoint file has neither, so they come from the folder given with its configs, else from fallbacks: a tokenizer
 * folder (Booth's demo model ships the real CLIP ViT-L/14 BPE vocabulary, which every SD-1.x model uses) and the
 * scheduler config of a preset ({@code sd15}: SD-1.5's PNDM config; {@code sd2}: SD-2.x 768-v's v-prediction DDIM
 * config).
 */
public record PipelineAssets(CLIPTokenizer tokenizer, SchedulerConfig schedulerConfig) {

    /** The model's own {@code tokenizer/} and {@code scheduler/scheduler_config.json}. */
    public static PipelineAssets of(StableDiffusionModel model) {
        return resolve(model, null, null);
    }

    /**
     * The model's own assets where it has them, else {@code tokenizerFallback} (a tokenizer folder) and the
     * scheduler config of {@code preset} (null = sd15).
     */
    public static PipelineAssets resolve(StableDiffusionModel model, Path tokenizerFallback, String preset) {
        Path tokenizerDir = model.tokenizerDir().orElse(tokenizerFallback);
        if (tokenizerDir == null) {
            throw new IllegalArgumentException("model " + model.source() + " has no tokenizer/ folder: load a single "
                    + "file with a diffusers folder's configs, or give a tokenizer folder");
        }
        SchedulerConfig scheduler = model.schedulerDir().map(d -> d.resolve("scheduler_config.json"))
                .filter(Files::isRegularFile).map(SchedulerConfig::fromFile)
                .orElseGet(() -> presetScheduler(preset == null ? "sd15" : preset));
        return new PipelineAssets(CLIPTokenizer.fromFolder(tokenizerDir), scheduler);
    }

    /** The scheduler config of a preset ({@link ModelConfigs#PRESETS}). */
    public static SchedulerConfig presetScheduler(String preset) {
        String key = preset.trim().toLowerCase(Locale.ROOT);
        if (!ModelConfigs.PRESETS.contains(key)) {
            throw new IllegalArgumentException("unknown preset '" + preset + "': use one of " + ModelConfigs.PRESETS);
        }
        String resource = "/ai/booth/diffusion/presets/" + key + "/scheduler.json";
        try (InputStream in = PipelineAssets.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            return SchedulerConfig.fromJson(new ObjectMapper().readTree(in), resource);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
