package ai.booth.diffusion.clip;

import ai.booth.diffusion.io.JsonConfig;

/** transformers' CLIPVisionConfig: the fields the vision tower needs, with transformers' defaults. */
public record CLIPVisionConfig(int hiddenSize, int intermediateSize, int numAttentionHeads, int numHiddenLayers,
                               int imageSize, int patchSize, int numChannels, String hiddenAct, double layerNormEps)
        implements CLIPEncoderConfig {

    public CLIPVisionConfig {
        if (hiddenSize % numAttentionHeads != 0 || imageSize % patchSize != 0) {
            throw new IllegalArgumentException("CLIP vision: hidden_size " + hiddenSize + " / num_attention_heads "
                    + numAttentionHeads + " and image_size " + imageSize + " / patch_size " + patchSize
                    + " must divide evenly");
        }
        ai.booth.diffusion.nn.Activations.byName(hiddenAct);
    }

    public static CLIPVisionConfig from(JsonConfig c) {
        return new CLIPVisionConfig(
                c.integer("hidden_size", 768),
                c.integer("intermediate_size", 3072),
                c.integer("num_attention_heads", 12),
                c.integer("num_hidden_layers", 12),
                c.integer("image_size", 224),
                c.integer("patch_size", 32),
                c.integer("num_channels", 3),
                c.string("hidden_act", "quick_gelu"),
                c.number("layer_norm_eps", 1e-5));
    }

    /** Patches per image side. */
    public int gridSize() {
        return imageSize / patchSize;
    }
}
