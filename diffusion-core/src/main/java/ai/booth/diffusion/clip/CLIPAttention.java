package ai.booth.diffusion.clip;

import ai.booth.diffusion.nn.Attention;
import ai.booth.diffusion.nn.Linear;
import ai.booth.diffusion.nn.StateDict;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** CLIP multi-head self-attention: q/k/v/out projections with biases, scale head_dim^-0.5, additive mask. */
final class CLIPAttention {

    private final int heads;
    private final int headDim;
    private final Linear q;
    private final Linear k;
    private final Linear v;
    private final Linear out;

    CLIPAttention(StateDict w, CLIPTextConfig config) {
        int dim = config.hiddenSize();
        this.heads = config.numAttentionHeads();
        this.headDim = config.headDim();
        this.q = new Linear(w.at("q_proj"), dim, dim, true);
        this.k = new Linear(w.at("k_proj"), dim, dim, true);
        this.v = new Linear(w.at("v_proj"), dim, dim, true);
        this.out = new Linear(w.at("out_proj"), dim, dim, true);
    }

    /** x [B, N, D], mask [N, N] → [B, N, D]. */
    NDArray forward(NDArray x, NDArray mask) {
        Shape s = x.getShape();
        NDArray attended = Attention.scaledDotProduct(
                splitHeads(q.forward(x)), splitHeads(k.forward(x)), splitHeads(v.forward(x)),
                mask, (float) Math.pow(headDim, -0.5));
        return out.forward(attended.transpose(0, 2, 1, 3).reshape(s));
    }

    private NDArray splitHeads(NDArray t) {
        Shape s = t.getShape();
        return t.reshape(s.get(0), s.get(1), heads, headDim).transpose(0, 2, 1, 3);
    }
}
