package ai.booth.diffusion.loader;

import ai.booth.diffusion.clip.CLIPTextModel;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.unet.UNet2DConditionModel;
import ai.booth.diffusion.vae.AutoencoderKL;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A loaded Stable Diffusion model: the three networks, their configs ({@code textEncoder().config()}, ...), where
 * they came from and a content hash of the weights (SHA-256 over the weight files, for cache keys and provenance).
 *
 * @param source     the diffusers folder or the single checkpoint file
 * @param configDir  the diffusers folder holding {@code tokenizer/} and {@code scheduler/} (the source folder, or the
 *                   folder whose configs a single file was loaded with); null for a preset or inferred config
 */
public record StableDiffusionModel(CLIPTextModel textEncoder, UNet2DConditionModel unet, AutoencoderKL vae,
                                   ModelConfigs configs, EngineOptions options, Path source, Path configDir,
                                   String contentHash) implements AutoCloseable {

    /** {@code tokenizer/} of the config folder, when there is one. */
    public Optional<Path> tokenizerDir() {
        return subfolder("tokenizer");
    }

    /** {@code scheduler/} of the config folder (holding scheduler_config.json), when there is one. */
    public Optional<Path> schedulerDir() {
        return subfolder("scheduler");
    }

    private Optional<Path> subfolder(String name) {
        return configDir == null ? Optional.empty()
                : Optional.of(configDir.resolve(name)).filter(Files::isDirectory);
    }

    @Override
    public void close() {
        textEncoder.close();
        unet.close();
        vae.close();
    }
}
