package ai.booth.diffusion.loader;

import ai.booth.diffusion.controlnet.ControlNetConfig;
import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.nn.CheckpointException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The engine's verdict on a ControlNet before anyone loads it, from its config and file header only (no tensor is
 * read, no native engine is needed), so a registry can refuse a bad upload before storing anything.
 *
 * @param source      a diffusers ControlNet folder or an A1111 single {@code .safetensors} file
 * @param singleFile  an A1111 single file rather than a diffusers folder
 * @param weights     the weights file ({@code source} itself for a single file)
 * @param contentHash SHA-256 of the weights file
 */
public record ControlNetCheck(Path source, boolean singleFile, Path weights, String contentHash) {

    /** Checks {@code source} as {@link ControlNetLoader#load} would read it; a CheckpointException says why not. */
    public static ControlNetCheck of(Path source) {
        if (Files.isDirectory(source)) {
            ControlNetConfig.read(source.resolve("config.json"));
            Path weights = WeightFiles.safetensorsIn(source);
            try (SafeTensors file = SafeTensors.open(weights)) {
                if (file.names().stream().noneMatch(k -> k.startsWith("controlnet_cond_embedding."))) {
                    throw new CheckpointException(weights + " holds no diffusers ControlNet weights"
                            + " (no controlnet_cond_embedding.*)");
                }
            }
            return new ControlNetCheck(source, false, weights, WeightFiles.sha256(List.of(weights)));
        }
        if (!Files.isRegularFile(source) || !source.getFileName().toString().endsWith(".safetensors")) {
            throw new CheckpointException(source + " is neither a diffusers ControlNet folder nor a .safetensors"
                    + " file; pickles (.pth, .ckpt, .bin) are not loaded");
        }
        try (SafeTensors file = SafeTensors.open(source)) {
            if (!ControlNetLayout.isControlNet(file)) {
                throw new CheckpointException(source + " is not an A1111 ControlNet: no input_hint_block");
            }
        }
        return new ControlNetCheck(source, true, source, WeightFiles.sha256(List.of(source)));
    }
}
