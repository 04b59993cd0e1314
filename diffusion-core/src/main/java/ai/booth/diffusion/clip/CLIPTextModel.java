package ai.booth.diffusion.clip;

import ai.booth.diffusion.nn.Embedding;
import ai.booth.diffusion.nn.LayerNorm;
import ai.booth.diffusion.nn.Linear;
import ai.booth.diffusion.nn.LoraTarget;
import ai.booth.diffusion.nn.Scope;
import ai.booth.diffusion.nn.StateDict;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * transformers' CLIPTextModel (the text tower SD conditions on), weights under {@code text_model.*}. Causal
 * self-attention; position ids are always 0..n−1 (a checkpoint's {@code position_ids} buffer is accepted and
 * ignored). Owns the manager holding its weights.
 */
public final class CLIPTextModel implements AutoCloseable {

    private final CLIPTextConfig config;
    private final NDManager manager;
    private final Embedding tokens;
    private final Embedding positions;
    private final List<CLIPEncoderLayer> layers = new ArrayList<>();
    private final LayerNorm finalNorm;
    private final Map<String, Linear> linears;
    private final Map<String, LoraTarget> loraTargets;
    private final Map<String, NDArray> parameters;
    /** Embedding rows of added tokens (ids vocab_size, vocab_size + 1, ...), or null; see {@link #attachTokens}. */
    private volatile NDArray addedRows;

    public CLIPTextModel(CLIPTextConfig config, StateDict weights) {
        this.config = config;
        this.manager = weights.manager();
        StateDict w = weights.at("text_model");
        int dim = config.hiddenSize();
        this.tokens = new Embedding(w.at("embeddings.token_embedding"), config.vocabSize(), dim);
        this.positions = new Embedding(w.at("embeddings.position_embedding"), config.maxPositionEmbeddings(), dim);
        w.ignore("embeddings.position_ids");
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            layers.add(new CLIPEncoderLayer(w.at("encoder.layers." + i), config));
        }
        this.finalNorm = new LayerNorm(w.at("final_layer_norm"), dim, (float) config.layerNormEps());
        this.linears = weights.linears();
        this.loraTargets = weights.loraTargets();
        this.parameters = weights.taken();
    }

    /**
     * @param ids      token ids [B, N] (int64 or int32), N ≤ max_position_embeddings
     * @param clipSkip 1 = last layer, 2 = penultimate layer (A1111's "clip skip"), ...; the final layer norm is
     *                 applied either way
     * @return last_hidden_state [B, N, hidden] in the model's dtype, attached to the ids' manager
     */
    public NDArray forward(NDArray ids, int clipSkip) {
        Shape shape = ids.getShape();
        if (shape.dimension() != 2 || shape.get(1) > config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("CLIP input ids must be [batch, n ≤ " + config.maxPositionEmbeddings()
                    + "], got " + shape);
        }
        if (clipSkip < 1 || clipSkip > layers.size()) {
            throw new IllegalArgumentException("clip skip must be 1.." + layers.size() + ", got " + clipSkip);
        }
        int n = (int) shape.get(1);
        try (Scope scope = Scope.of(ids)) {
            // A copy libtorch owns: the embedding's backward keeps the ids, which callers often make over a Java buffer.
            NDArray h = embedTokens(ids.toType(DataType.INT64, true))
                    .add(positions.forward(scope.manager().arange(0, n, 1, DataType.INT64)));
            NDArray mask = causalMask(scope.manager(), n, h.getDataType());
            for (int i = 0; i < layers.size() - (clipSkip - 1); i++) {
                h = layers.get(i).forward(h, mask);
            }
            return scope.keep(finalNorm.forward(h));
        }
    }

    /**
     * Token embeddings, with ids from vocab_size on looked up in the added rows. The base matrix is never copied or
     * extended (it is a read-only view of the checkpoint): both tables are looked up and merged per position, so a
     * prompt without added ids takes exactly the base path and under autograd only the added rows get gradients.
     */
    private NDArray embedTokens(NDArray ids) {
        NDArray rows = addedRows;
        long vocab = config.vocabSize();
        if (rows == null) {
            return tokens.forward(ids);
        }
        NDArray isAdded = ids.gte(vocab);
        if (!isAdded.any().getBoolean()) {
            return tokens.forward(ids);
        }
        long count = rows.getShape().get(0);
        long top = ids.max().getLong();
        if (top >= vocab + count) {
            throw new IllegalArgumentException("token id " + top + " is beyond the vocabulary (" + vocab + ") and the "
                    + count + " added token rows");
        }
        NDArray base = tokens.forward(ids.clip(0, vocab - 1));
        NDArray extra = ids.getNDArrayInternal()
                .embedding(ids.sub(vocab).clip(0, count - 1), rows, SparseFormat.DENSE).singletonOrThrow();
        return NDArrays.where(isAdded.expandDims(-1).broadcast(base.getShape()), extra, base);
    }

    /**
     * Makes ids {@code vocab_size .. vocab_size + n − 1} look up {@code rows} [n, hidden] (textual-inversion
     * embeddings, in the model's dtype) until the returned handle is closed, which restores the previous rows. The
     * rows are used as given — under autograd their gradients flow back to them.
     */
    public AttachedTokens attachTokens(NDArray rows) {
        Shape shape = rows.getShape();
        if (shape.dimension() != 2 || shape.get(1) != config.hiddenSize()) {
            throw new IllegalArgumentException("added token rows must be [n, " + config.hiddenSize() + "], got "
                    + shape);
        }
        if (rows.getDataType() != dtype()) {
            throw new IllegalArgumentException("added token rows are " + rows.getDataType() + ", the text encoder is "
                    + dtype());
        }
        NDArray previous = addedRows;
        addedRows = rows;
        return () -> addedRows = previous;
    }

    /** An {@link #attachTokens} attachment, undone by closing. */
    public interface AttachedTokens extends AutoCloseable {
        @Override
        void close();
    }

    /** The token embedding matrix [vocab_size, hidden] (read-only: it may map the checkpoint file). */
    public NDArray tokenEmbedding() {
        return tokens.weight();
    }

    /** 0 on and below the diagonal, the dtype's lowest value above (transformers' causal mask). */
    private static NDArray causalMask(NDManager manager, int n, DataType dtype) {
        float[] mask = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                mask[i * n + j] = dtype == DataType.FLOAT16 ? -65504f : -Float.MAX_VALUE;
            }
        }
        return manager.create(mask, new Shape(n, n)).toType(dtype, false);
    }

    public CLIPTextConfig config() {
        return config;
    }

    /** Linear layers by PEFT module path, e.g. {@code text_model.encoder.layers.0.self_attn.q_proj}. */
    public Map<String, Linear> linears() {
        return linears;
    }

    /** Every layer LoRA adapters can target (Linear and Conv2d), by the same module paths. */
    public Map<String, LoraTarget> loraTargets() {
        return loraTargets;
    }

    /** Every weight by transformers key, {@code text_model.…} (live arrays: they may map the checkpoint, read-only). */
    public Map<String, NDArray> parameters() {
        return parameters;
    }

    public DataType dtype() {
        return positions.weight().getDataType();
    }

    @Override
    public void close() {
        manager.close();
    }
}
