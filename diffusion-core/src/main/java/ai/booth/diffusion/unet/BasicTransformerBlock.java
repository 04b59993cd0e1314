package ai.booth.diffusion.unet;

import ai.booth.diffusion.nn.LayerNorm;
import ai.booth.diffusion.nn.Ops;
import ai.booth.diffusion.nn.Scope;
import ai.booth.diffusion.nn.StateDict;
import ai.djl.ndarray.NDArray;

/** Self-attention, cross-attention on the text, GEGLU feed-forward; each pre-normed and residual. */
public final class BasicTransformerBlock {

    private final LayerNorm norm1;
    private final CrossAttention attn1;
    private final LayerNorm norm2;
    private final CrossAttention attn2;
    private final LayerNorm norm3;
    private final FeedForward ff;

    public BasicTransformerBlock(StateDict w, long dim, int heads, int headDim, long contextDim) {
        this.norm1 = new LayerNorm(w.at("norm1"), dim, 1e-5f);
        this.attn1 = new CrossAttention(w.at("attn1"), dim, 0, heads, headDim, false);
        this.norm2 = new LayerNorm(w.at("norm2"), dim, 1e-5f);
        this.attn2 = new CrossAttention(w.at("attn2"), dim, contextDim, heads, headDim, false);
        this.norm3 = new LayerNorm(w.at("norm3"), dim, 1e-5f);
        this.ff = new FeedForward(w.at("ff"), dim);
    }

    public NDArray forward(NDArray x, NDArray context) {
        return forward(x, context, 0, 0, 0);
    }

    /**
     * The same with ToMe: self-attention over the {@link TokenMerge merged} tokens of an H×W map when
     * {@code mergeRatio} is above 0.
     */
    NDArray forward(NDArray x, NDArray context, double mergeRatio, int height, int width) {
        try (Scope scope = Scope.of(x, context)) {
            NDArray attended;
            if (mergeRatio > 0) {
                TokenMerge merge = TokenMerge.of(x, height, width, mergeRatio, scope.manager());
                attended = merge.unmerge(attn1.forward(merge.merge(norm1.forward(x)), null));
            } else {
                attended = attn1.forward(norm1.forward(x), null);
            }
            NDArray h = Ops.add(attended, x);
            h = Ops.add(attn2.forward(norm2.forward(h), context), h);
            h = Ops.add(ff.forward(norm3.forward(h)), h);
            return scope.keep(h);
        }
    }

    public CrossAttention selfAttention() {
        return attn1;
    }

    public CrossAttention crossAttention() {
        return attn2;
    }
}
