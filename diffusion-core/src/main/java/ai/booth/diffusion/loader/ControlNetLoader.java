package ai.booth.diffusion.loader;

import ai.booth.diffusion.controlnet.ControlNetConfig;
import ai.booth.diffusion.controlnet.ControlNetModel;
import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.nn.CheckpointException;
import ai.booth.diffusion.nn.TensorSource;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.unet.UNet2DConditionConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Loads a ControlNet: a diffusers folder ({@code config.json} + {@code diffusion_pytorch_model.safetensors}, keys one
 * to one) or an A1111 single file (see {@link ControlNetLayout}). A single file carries no config: its encoder is the
 * base model's UNet encoder (what A1111's {@code cldm_v15.yaml} states for SD-1.5 ControlNets) and its hint encoder's
 * widths are read from the file's shapes. Pickles are refused as everywhere.
 */
public final class ControlNetLoader {

    private ControlNetLoader() {
    }

    /**
     * @param source a diffusers ControlNet folder or a single {@code .safetensors} file
     * @param base   the UNet config of the model it will steer (used for single files only)
     */
    public static ControlNetModel load(Path source, UNet2DConditionConfig base, EngineOptions options) {
        if (Files.isDirectory(source)) {
            return diffusers(source.resolve("config.json"), WeightFiles.safetensorsIn(source), options);
        }
        refusePickle(source);
        try (SafeTensors file = SafeTensors.open(source)) {
            if (file.names().stream().anyMatch(k -> k.startsWith("controlnet_cond_embedding."))) {
                // a diffusers weights file given on its own: its config is beside it
                Path config = source.resolveSibling("config.json");
                if (!Files.isRegularFile(config)) {
                    throw new CheckpointException(source + " holds diffusers ControlNet keys but has no config.json "
                            + "beside it; give its folder");
                }
                return diffusers(config, source, options);
            }
            if (!ControlNetLayout.isControlNet(file)) {
                throw new CheckpointException(source + " is not a ControlNet: no input_hint_block (nor a diffusers "
                        + "folder with config.json)");
            }
            int[] hint = ControlNetLayout.hintChannels(file);
            ControlNetConfig config = ControlNetConfig.of(base, hint[0], Arrays.copyOfRange(hint, 1, hint.length));
            return build("controlnet " + source, ControlNetLayout.map(file, base), config, options);
        }
    }

    private static ControlNetModel diffusers(Path configJson, Path weights, EngineOptions options) {
        ControlNetConfig config = ControlNetConfig.read(configJson);
        try (SafeTensors file = SafeTensors.open(weights)) {
            Map<String, TensorSource> sources = new LinkedHashMap<>();
            file.names().forEach(name -> sources.put(name, TensorSource.of(file, name)));
            return build("controlnet " + weights, sources, config, options);
        }
    }

    /** What a single-file ControlNet's header says, without loading it (for {@code booth inspect}). */
    public record SingleFile(String prefix, int conditioningChannels, int[] hintWidths, long zeroConvs) { }

    /** @return the file's ControlNet layout, or null when it is not an A1111 single-file ControlNet */
    public static SingleFile describe(SafeTensors file) {
        if (!ControlNetLayout.isControlNet(file)) {
            return null;
        }
        String root = ControlNetLayout.root(file);
        int[] hint = ControlNetLayout.hintChannels(file);
        long zeroConvs = file.names().stream().filter(k -> k.startsWith(root + "zero_convs.") && k.endsWith(".weight"))
                .count();
        return new SingleFile(root, hint[0], Arrays.copyOfRange(hint, 1, hint.length), zeroConvs);
    }

    /** The file holding a ControlNet's weights (itself for a single file), e.g. to hash it. */
    public static Path weightsFile(Path source) {
        return Files.isDirectory(source) ? WeightFiles.safetensorsIn(source) : source;
    }

    private static ControlNetModel build(String what, Map<String, TensorSource> sources, ControlNetConfig config,
                                         EngineOptions options) {
        return ComponentBuilder.build(what, sources, options.device(), options.dtype(),
                w -> new ControlNetModel(config, w));
    }

    private static void refusePickle(Path file) {
        String name = file.getFileName().toString();
        if (!name.endsWith(".safetensors")) {
            throw new CheckpointException(file + " is not a .safetensors file; pickle checkpoints (.pth, .ckpt, .bin) "
                    + "are not loaded (unpickling can run arbitrary code): use the .safetensors release or convert it");
        }
    }
}
