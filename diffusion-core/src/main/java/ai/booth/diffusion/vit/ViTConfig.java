package ai.booth.diffusion.vit;

import ai.booth.diffusion.io.JsonConfig;

import java.nio.file.Path;

/** transformers' ViTConfig (e.g. facebook/dino-vits16): the fields ViTModel needs, with transformers' defaults. */
public record ViTConfig(int hiddenSize, int numHiddenLayers, int numAttentionHeads, int intermediateSize,
                        String hiddenAct, double layerNormEps, int imageSize, int patchSize, int numChannels,
                        boolean qkvBias) {

    public ViTConfig {
        if (hiddenSize % numAttentionHeads != 0 || imageSize % patchSize != 0) {
            throw new IllegalArgumentException("ViT: hidden_size " + hiddenSize + " / num_attention_heads "
                    + numAttentionHeads + " and image_size " + imageSize + " / patch_size " + patchSize
                    + " must divide evenly");
        }
        ai.booth.diffusion.nn.Activations.byName(hiddenAct);
    }

    public static ViTConfig read(Path configJson) {
        JsonConfig c = JsonConfig.read(configJson);
        String type = c.string("model_type", "vit");
        if (!type.equals("vit")) {
            throw new IllegalArgumentException(configJson + ": model_type '" + type + "' is not a ViTModel (vit)");
        }
        return new ViTConfig(
                c.integer("hidden_size", 768),
                c.integer("num_hidden_layers", 12),
                c.integer("num_attention_heads", 12),
                c.integer("intermediate_size", 3072),
                c.string("hidden_act", "gelu"),
                c.number("layer_norm_eps", 1e-12),
                c.integer("image_size", 224),
                c.integer("patch_size", 16),
                c.integer("num_channels", 3),
                c.bool("qkv_bias", true));
    }

    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    /** Patches per image side. */
    public int gridSize() {
        return imageSize / patchSize;
    }
}
