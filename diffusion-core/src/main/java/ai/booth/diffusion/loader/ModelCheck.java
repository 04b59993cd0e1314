package ai.booth.diffusion.loader;

import ai.booth.diffusion.runtime.EngineOptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The engine's verdict on a model before anyone loads it: configs parse, every weight key maps with the right
 * shape, no pickle files. Computed from file headers and configs only (no tensor is read, no native engine is
 * needed), so a registry can refuse a bad upload before storing anything. {@code contentHash} is the hash
 * {@link StableDiffusionModel#contentHash()} of the loaded model will have.
 *
 * @param source        the diffusers folder or the single checkpoint file
 * @param singleFile    an original-layout single file rather than a diffusers folder
 * @param configs       the architecture
 * @param configDir     the folder holding configs, tokenizer and scheduler (the diffusers folder or a single file's
 *                      companion folder); null for a preset or inferred architecture
 * @param configSource  {@value #FOLDER}, {@value #COMPANION}, {@value #INFERRED} or {@value #PRESET_PREFIX}name
 * @param weightFiles   the files the content hash covers, in hash order
 */
public record ModelCheck(Path source, boolean singleFile, ModelConfigs configs, Path configDir, String configSource,
                         List<Path> weightFiles, String contentHash) {

    public static final String FOLDER = "folder";
    public static final String COMPANION = "companion";
    public static final String INFERRED = "inferred";
    public static final String PRESET_PREFIX = "preset:";

    /**
     * Checks a diffusers folder, or a single {@code .safetensors} file whose architecture comes from {@code config}
     * (as in {@link SingleFileLoader#load(Path, String, EngineOptions)}; ignored for folders).
     */
    public static ModelCheck of(Path source, String config) {
        if (Files.isDirectory(source)) {
            return DiffusersFolderLoader.check(source);
        }
        if (!Files.isRegularFile(source)) {
            throw new IllegalArgumentException("no model at " + source + ": expected a diffusers folder or a "
                    + ".safetensors file");
        }
        return SingleFileLoader.check(source, config);
    }

    /** Native image size: the UNet's sample size times the VAE's downscale factor (512 for SD-1.5). */
    public int resolution() {
        return configs.unet().sampleSize() * configs.vae().downscale();
    }

    /** Loads what was checked: the same as calling the folder or single-file loader directly. */
    public StableDiffusionModel load(EngineOptions options) {
        if (!singleFile) {
            return DiffusersFolderLoader.load(source, options);
        }
        return SingleFileLoader.load(source, configs, configDir, options);
    }
}
