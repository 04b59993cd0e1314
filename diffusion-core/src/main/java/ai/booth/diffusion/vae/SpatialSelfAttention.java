package ai.booth.diffusion.vae;

import ai.booth.diffusion.nn.GroupNorm;
import ai.booth.diffusion.nn.Scope;
import ai.booth.diffusion.nn.StateDict;
import ai.booth.diffusion.unet.CrossAttention;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * The VAE's single-head self-attention over all pixels (diffusers' Attention with group_norm and a residual):
 * group_norm, to_q/to_k/to_v/to_out.0 with biases, plus the input.
 */
final class SpatialSelfAttention {

    private final GroupNorm norm;
    private final CrossAttention attention;

    SpatialSelfAttention(StateDict w, long channels, int groups) {
        this.norm = new GroupNorm(w.at("group_norm"), groups, channels, 1e-6f);
        this.attention = new CrossAttention(w, channels, 0, 1, (int) channels, true);
    }

    NDArray forward(NDArray x) {
        Shape s = x.getShape();
        try (Scope scope = Scope.of(x)) {
            NDArray tokens = norm.forward(x).reshape(s.get(0), s.get(1), -1).transpose(0, 2, 1);
            NDArray h = attention.forward(tokens, null).transpose(0, 2, 1).reshape(s);
            return scope.keep(h.add(x));
        }
    }
}
