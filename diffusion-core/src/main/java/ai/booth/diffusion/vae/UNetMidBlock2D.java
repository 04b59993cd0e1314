package ai.booth.diffusion.vae;

import ai.booth.diffusion.nn.Scope;
import ai.booth.diffusion.nn.StateDict;
import ai.booth.diffusion.unet.ResnetBlock2D;
import ai.djl.ndarray.NDArray;

/** The VAE bottleneck: resnet, self-attention, resnet (no time embedding). */
final class UNetMidBlock2D {

    private final ResnetBlock2D resnet0;
    private final SpatialSelfAttention attention;
    private final ResnetBlock2D resnet1;

    UNetMidBlock2D(StateDict w, long channels, int groups) {
        this.resnet0 = new ResnetBlock2D(w.at("resnets.0"), channels, channels, 0, groups, 1e-6f, 1.0);
        this.attention = new SpatialSelfAttention(w.at("attentions.0"), channels, groups);
        this.resnet1 = new ResnetBlock2D(w.at("resnets.1"), channels, channels, 0, groups, 1e-6f, 1.0);
    }

    NDArray forward(NDArray x) {
        try (Scope scope = Scope.of(x)) {
            return scope.keep(resnet1.forward(attention.forward(resnet0.forward(x, null)), null));
        }
    }
}
