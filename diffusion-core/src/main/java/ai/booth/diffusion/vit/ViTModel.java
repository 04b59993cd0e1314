package ai.booth.diffusion.vit;

import ai.booth.diffusion.nn.Conv2d;
import ai.booth.diffusion.nn.LayerNorm;
import ai.booth.diffusion.nn.PatchEmbedding;
import ai.booth.diffusion.nn.Scope;
import ai.booth.diffusion.nn.StateDict;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

import java.util.ArrayList;
import java.util.List;

/**
 * transformers' ViTModel (DINO's backbone, e.g. facebook/dino-vits16): patch and class token embeddings, pre-norm
 * layers ({@code encoder.layer.N}), a final {@code layernorm}. The {@code pooler.*} some exports carry is accepted and
 * unused (DINO's embedding is the normalised class token, not the tanh pooler), as are {@code position_ids} buffers
 * and a {@code mask_token}. Owns the manager holding its weights.
 */
public final class ViTModel implements AutoCloseable {

    private final ViTConfig config;
    private final NDManager manager;
    private final DataType dtype;
    private final PatchEmbedding embeddings;
    private final List<ViTLayer> layers = new ArrayList<>();
    private final LayerNorm layernorm;

    public ViTModel(ViTConfig config, StateDict weights) {
        this.config = config;
        this.manager = weights.manager();
        this.dtype = weights.dtype();
        int dim = config.hiddenSize();
        int patch = config.patchSize();
        int tokens = config.gridSize() * config.gridSize() + 1;
        StateDict e = weights.at("embeddings");
        this.embeddings = new PatchEmbedding(
                new Conv2d(e.at("patch_embeddings.projection"), config.numChannels(), dim, patch, patch, 0),
                e.take("cls_token", 1, 1, dim), e.take("position_embeddings", 1, tokens, dim), config.imageSize(), dim);
        e.ignore("position_ids", "mask_token");
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            layers.add(new ViTLayer(weights.at("encoder.layer." + i), config));
        }
        this.layernorm = new LayerNorm(weights.at("layernorm"), dim, (float) config.layerNormEps());
        weights.ignore("pooler.dense.weight", "pooler.dense.bias");
    }

    /** pixels [B, C, S, S] → last_hidden_state [B, 1 + patches, hidden] (after the final layer norm). */
    public NDArray forward(NDArray pixels) {
        try (Scope scope = Scope.of(pixels)) {
            NDArray h = embeddings.forward(pixels.toType(dtype, false));
            for (ViTLayer layer : layers) {
                h = layer.forward(h);
            }
            return scope.keep(layernorm.forward(h));
        }
    }

    /** pixels [B, C, S, S] → the class token of {@link #forward} [B, hidden]: DINO's image embedding. */
    public NDArray classEmbeds(NDArray pixels) {
        try (Scope scope = Scope.of(pixels)) {
            return scope.keep(forward(pixels).get(new NDIndex(":, 0, :")));
        }
    }

    public ViTConfig config() {
        return config;
    }

    @Override
    public void close() {
        manager.close();
    }
}
