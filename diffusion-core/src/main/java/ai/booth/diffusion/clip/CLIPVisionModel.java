package ai.booth.diffusion.clip;

import ai.booth.diffusion.nn.Conv2d;
import ai.booth.diffusion.nn.LayerNorm;
import ai.booth.diffusion.nn.PatchEmbedding;
import ai.booth.diffusion.nn.Scope;
import ai.booth.diffusion.nn.StateDict;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

import java.util.ArrayList;
import java.util.List;

/**
 * transformers' CLIP vision tower (CLIPVisionTransformer), weights under {@code vision_model.*}: patch and class
 * token embeddings, {@code pre_layrnorm} (spelled so in the checkpoints), the text tower's encoder layers without a
 * mask, and {@code post_layernorm} on the class token. The weights live in the manager of the dictionary it was built
 * from; whoever built it closes that.
 */
public final class CLIPVisionModel {

    private final CLIPVisionConfig config;
    private final PatchEmbedding embeddings;
    private final LayerNorm preNorm;
    private final List<CLIPEncoderLayer> layers = new ArrayList<>();
    private final LayerNorm postNorm;
    private final DataType dtype;

    public CLIPVisionModel(CLIPVisionConfig config, StateDict weights) {
        this.config = config;
        this.dtype = weights.dtype();
        StateDict w = weights.at("vision_model");
        int dim = config.hiddenSize();
        int patch = config.patchSize();
        int tokens = config.gridSize() * config.gridSize() + 1;
        StateDict e = w.at("embeddings");
        this.embeddings = new PatchEmbedding(
                new Conv2d(e.at("patch_embedding"), config.numChannels(), dim, patch, patch, 0, false),
                e.take("class_embedding", dim), e.take("position_embedding.weight", tokens, dim),
                config.imageSize(), dim);
        e.ignore("position_ids");
        float eps = (float) config.layerNormEps();
        this.preNorm = new LayerNorm(w.at("pre_layrnorm"), dim, eps);
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            layers.add(new CLIPEncoderLayer(w.at("encoder.layers." + i), config));
        }
        this.postNorm = new LayerNorm(w.at("post_layernorm"), dim, eps);
    }

    /** pixels [B, C, S, S] (processed as CLIPImageProcessor does) → pooler_output [B, hidden]. */
    public NDArray forward(NDArray pixels) {
        try (Scope scope = Scope.of(pixels)) {
            NDArray h = preNorm.forward(embeddings.forward(pixels.toType(dtype, false)));
            for (CLIPEncoderLayer layer : layers) {
                h = layer.forward(h, null);
            }
            return scope.keep(postNorm.forward(h.get(new NDIndex(":, 0, :"))));
        }
    }

    public CLIPVisionConfig config() {
        return config;
    }
}
