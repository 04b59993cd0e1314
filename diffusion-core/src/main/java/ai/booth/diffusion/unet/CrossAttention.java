package ai.booth.diffusion.unet;

import ai.booth.diffusion.nn.Attention;
import ai.booth.diffusion.nn.Linear;
import ai.booth.diffusion.nn.StateDict;
import ai.djl.ndarray.NDArray;

/**
 * diffusers' Attention as the UNet uses it: to_q/to_k/to_v (no bias by default) and to_out.0, {@code heads} heads of
 * {@code headDim}; keys and values come from the context (text embeddings) or, for self-attention, from x.
 */
public final class CrossAttention {

    private final int heads;
    private final int headDim;
    private final Linear toQ;
    private final Linear toK;
    private final Linear toV;
    private final Linear toOut;

    /** @param contextDim width of the context, or 0 for self-attention */
    public CrossAttention(StateDict w, long queryDim, long contextDim, int heads, int headDim, boolean qkvBias) {
        long inner = (long) heads * headDim;
        long kvDim = contextDim > 0 ? contextDim : queryDim;
        this.heads = heads;
        this.headDim = headDim;
        this.toQ = new Linear(w.at("to_q"), queryDim, inner, qkvBias);
        this.toK = new Linear(w.at("to_k"), kvDim, inner, qkvBias);
        this.toV = new Linear(w.at("to_v"), kvDim, inner, qkvBias);
        this.toOut = new Linear(w.at("to_out.0"), inner, queryDim, true);
    }

    /** x [B, N, queryDim], context [B, M, contextDim] or null → [B, N, queryDim]. */
    public NDArray forward(NDArray x, NDArray context) {
        NDArray kv = context == null ? x : context;
        return toOut.forward(Attention.multiHead(toQ.forward(x), toK.forward(kv), toV.forward(kv), heads, null,
                (float) Math.pow(headDim, -0.5)));
    }

    public int heads() {
        return heads;
    }

    public int headDim() {
        return headDim;
    }
}
