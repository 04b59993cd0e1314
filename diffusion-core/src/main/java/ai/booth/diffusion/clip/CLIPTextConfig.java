package ai.booth.diffusion.clip;

import ai.booth.diffusion.io.JsonConfig;

import java.nio.file.Path;

/** transformers' CLIPTextConfig: the fields a text encoder needs, with transformers' defaults. */
public record CLIPTextConfig(int vocabSize, int hiddenSize, int intermediateSize, int numAttentionHeads,
                             int numHiddenLayers, int maxPositionEmbeddings, String hiddenAct, double layerNormEps)
        implements CLIPEncoderConfig {

    public CLIPTextConfig {
        if (hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException("CLIP hidden_size " + hiddenSize + " is not divisible by num_attention_heads "
                    + numAttentionHeads);
        }
        ai.booth.diffusion.nn.Activations.byName(hiddenAct);
    }

    public static CLIPTextConfig read(Path configJson) {
        return from(JsonConfig.read(configJson));
    }

    public static CLIPTextConfig from(JsonConfig c) {
        return new CLIPTextConfig(
                c.integer("vocab_size", 49408),
                c.integer("hidden_size", 512),
                c.integer("intermediate_size", 2048),
                c.integer("num_attention_heads", 8),
                c.integer("num_hidden_layers", 12),
                c.integer("max_position_embeddings", 77),
                c.string("hidden_act", "quick_gelu"),
                c.number("layer_norm_eps", 1e-5));
    }

    @Override
    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }
}
