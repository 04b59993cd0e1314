package ai.booth.diffusion.clip;

import java.util.Map;

import ai.booth.diffusion.nn.Linear;
import ai.booth.diffusion.nn.Scope;
import ai.booth.diffusion.nn.StateDict;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

/**
 * transformers' CLIPModel: the text tower ({@code text_model.*}, the same {@link CLIPTextModel} SD conditions on),
 * the vision tower ({@code vision_model.*}) and their bias-free projections into the shared embedding space
 * ({@code text_projection}, {@code visual_projection}). {@code logit_scale} is accepted and unused: scores here are
 * plain cosines. Owns the manager holding its weights.
 */
public final class CLIPModel implements AutoCloseable {

    private final CLIPConfig config;
    private final NDManager manager;
    private final CLIPTextModel textModel;
    private final CLIPVisionModel visionModel;
    private final Linear textProjection;
    private final Linear visualProjection;
    private final Map<String, NDArray> parameters;

    public CLIPModel(CLIPConfig config, StateDict weights) {
        this.config = config;
        this.manager = weights.manager();
        this.textModel = new CLIPTextModel(config.text(), weights);
        this.visionModel = new CLIPVisionModel(config.vision(), weights);
        int dim = config.projectionDim();
        this.textProjection = new Linear(weights.at("text_projection"), config.text().hiddenSize(), dim, false);
        this.visualProjection = new Linear(weights.at("visual_projection"), config.vision().hiddenSize(), dim, false);
        weights.ignore("logit_scale");
        this.parameters = weights.taken();
    }

    /** Every weight by transformers key ({@code logit_scale} is not one: scores here are plain cosines). */
    public Map<String, NDArray> parameters() {
        return parameters;
    }

    /** pixels [B, C, S, S] → image_embeds [B, projection_dim] (not normalised). */
    public NDArray imageEmbeds(NDArray pixels) {
        try (Scope scope = Scope.of(pixels)) {
            return scope.keep(visualProjection.forward(visionModel.forward(pixels)));
        }
    }

    /**
     * ids [B, N] → text_embeds [B, projection_dim] (not normalised): the final hidden state at each row's end token,
     * projected. As transformers: legacy configs ({@code eos_token_id} 2) take the highest id's position (the end
     * token has CLIP's highest id); others the first position holding {@code eos_token_id}.
     */
    public NDArray textEmbeds(NDArray ids) {
        try (Scope scope = Scope.of(ids)) {
            long[] flat = ids.toType(DataType.INT64, false).toLongArray();
            int rows = (int) ids.getShape().get(0);
            int n = flat.length / rows;
            NDArray hidden = textModel.forward(ids, 1);
            NDList pooled = new NDList(rows);
            for (int b = 0; b < rows; b++) {
                pooled.add(hidden.get(new NDIndex("{}, {}, :", b, endPosition(flat, b * n, n))));
            }
            return scope.keep(textProjection.forward(NDArrays.stack(pooled)));
        }
    }

    private int endPosition(long[] ids, int from, int n) {
        boolean legacy = config.eosTokenId() == CLIPConfig.LEGACY_EOS_TOKEN_ID;
        int best = 0;
        for (int i = 0; i < n; i++) {
            long id = ids[from + i];
            if (!legacy && id == config.eosTokenId()) {
                return i;
            }
            if (legacy && id > ids[from + best]) {
                best = i;
            }
        }
        return best;
    }

    public CLIPConfig config() {
        return config;
    }

    public CLIPTextModel textModel() {
        return textModel;
    }

    public CLIPVisionModel visionModel() {
        return visionModel;
    }

    @Override
    public void close() {
        manager.close();
    }
}
