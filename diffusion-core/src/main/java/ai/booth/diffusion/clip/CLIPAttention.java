package ai.booth.diffusion.clip;

import ai.booth.diffusion.nn.Attention;
import ai.booth.diffusion.nn.Linear;
import ai.booth.diffusion.nn.StateDict;
import ai.djl.ndarray.NDArray;

/**
 * CLIP multi-head self-attention: q/k/v/out projections with biases, scale head_dim^-0.5, additive mask (causal in
 * the text tower, none in the vision tower).
 */
final class CLIPAttention {

    private final int heads;
    private final int headDim;
    private final Linear q;
    private final Linear k;
    private final Linear v;
    private final Linear out;

    CLIPAttention(StateDict w, CLIPEncoderConfig config) {
        int dim = config.hiddenSize();
        this.heads = config.numAttentionHeads();
        this.headDim = config.headDim();
        this.q = new Linear(w.at("q_proj"), dim, dim, true);
        this.k = new Linear(w.at("k_proj"), dim, dim, true);
        this.v = new Linear(w.at("v_proj"), dim, dim, true);
        this.out = new Linear(w.at("out_proj"), dim, dim, true);
    }

    /** x [B, N, D], mask [N, N] or null → [B, N, D]. */
    NDArray forward(NDArray x, NDArray mask) {
        return out.forward(Attention.multiHead(q.forward(x), k.forward(x), v.forward(x), heads, mask,
                (float) Math.pow(headDim, -0.5)));
    }
}
