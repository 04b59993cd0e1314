package ai.booth.diffusion.loader;

import ai.booth.diffusion.clip.CLIPConfig;
import ai.booth.diffusion.clip.CLIPModel;
import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.nn.StateDict;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.vit.ViTConfig;
import ai.booth.diffusion.vit.ViTModel;

import java.nio.file.Path;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Loads the evaluation encoders from the folders transformers' {@code save_pretrained} writes (and the hub serves):
 * {@code config.json} plus {@code model.safetensors}, keys mapped one to one and checked as for SD components.
 */
public final class TransformersFolderLoader {

    private TransformersFolderLoader() {
    }

    /** A CLIPModel folder, e.g. openai/clip-vit-large-patch14. */
    public static CLIPModel clip(Path folder, EngineOptions options) {
        CLIPConfig config = CLIPConfig.read(folder.resolve("config.json"));
        return load("CLIP model", folder, options, w -> new CLIPModel(config, w));
    }

    /** A ViTModel folder, e.g. facebook/dino-vits16. */
    public static ViTModel vit(Path folder, EngineOptions options) {
        ViTConfig config = ViTConfig.read(folder.resolve("config.json"));
        return load("ViT model", folder, options, w -> new ViTModel(config, w));
    }

    private static <T> T load(String what, Path folder, EngineOptions options,
                              Function<StateDict, T> constructor) {
        Path weights = WeightFiles.safetensorsIn(folder);
        try (SafeTensors file = SafeTensors.open(weights)) {
            return ComponentBuilder.build(what + " " + weights, DiffusersFolderLoader.sources(file,
                    UnaryOperator.identity()), options.device(), options.dtype(), constructor);
        }
    }
}
