package ai.booth.diffusion.unet;

import ai.booth.diffusion.nn.Conv2d;
import ai.booth.diffusion.nn.GroupNorm;
import ai.booth.diffusion.nn.Linear;
import ai.booth.diffusion.nn.Ops;
import ai.booth.diffusion.nn.Scope;
import ai.booth.diffusion.nn.StateDict;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.List;

/**
 * diffusers' Transformer2DModel on feature maps: group norm, proj_in (1×1 conv in SD-1, linear with
 * use_linear_projection in SD-2), transformer blocks over the H·W tokens, proj_out, plus the input.
 */
public final class Transformer2DModel {

    /** What a cross-attention block's transformers look like; from the UNet config. */
    public record Spec(int heads, int layers, long contextDim, boolean linearProjection, int groups) { }

    private final GroupNorm norm;
    private final Conv2d projInConv;
    private final Conv2d projOutConv;
    private final Linear projInLinear;
    private final Linear projOutLinear;
    private final List<BasicTransformerBlock> blocks = new ArrayList<>();
    private double tokenMerging;

    public Transformer2DModel(StateDict w, long channels, Spec spec) {
        int headDim = (int) (channels / spec.heads());
        long inner = (long) spec.heads() * headDim;
        this.norm = new GroupNorm(w.at("norm"), spec.groups(), channels, 1e-6f);
        if (spec.linearProjection()) {
            this.projInLinear = new Linear(w.at("proj_in"), channels, inner, true);
            this.projOutLinear = new Linear(w.at("proj_out"), inner, channels, true);
            this.projInConv = null;
            this.projOutConv = null;
        } else {
            this.projInConv = Conv2d.same(w.at("proj_in"), channels, inner, 1);
            this.projOutConv = Conv2d.same(w.at("proj_out"), inner, channels, 1);
            this.projInLinear = null;
            this.projOutLinear = null;
        }
        for (int i = 0; i < spec.layers(); i++) {
            blocks.add(new BasicTransformerBlock(w.at("transformer_blocks." + i), inner, spec.heads(), headDim,
                    spec.contextDim()));
        }
    }

    /** x [B, C, H, W], context [B, M, contextDim] → [B, C, H, W]. */
    public NDArray forward(NDArray x, NDArray context) {
        Shape s = x.getShape();
        long b = s.get(0);
        long height = s.get(2);
        long width = s.get(3);
        try (Scope scope = Scope.of(x, context)) {
            NDArray h = norm.forward(x);
            if (projInConv != null) {
                h = projInConv.forward(h);
            }
            h = h.transpose(0, 2, 3, 1).reshape(b, height * width, -1);
            if (projInLinear != null) {
                h = projInLinear.forward(h);
            }
            for (BasicTransformerBlock block : blocks) {
                h = block.forward(h, context, tokenMerging, (int) height, (int) width);
            }
            if (projOutLinear != null) {
                h = projOutLinear.forward(h);
            }
            h = h.reshape(b, height, width, -1).transpose(0, 3, 1, 2);
            if (projOutConv != null) {
                h = projOutConv.forward(h);
            }
            return scope.keep(Ops.add(h, x));
        }
    }

    /** ToMe's ratio for this model's self-attentions (0: off); see {@link UNet2DConditionModel#tokenMerging}. */
    void tokenMerging(double ratio) {
        this.tokenMerging = ratio;
    }

    public List<BasicTransformerBlock> blocks() {
        return blocks;
    }
}
