package ai.booth.diffusion.unet;

import ai.booth.diffusion.nn.Activations;
import ai.booth.diffusion.nn.Conv2d;
import ai.booth.diffusion.nn.GroupNorm;
import ai.booth.diffusion.nn.Linear;
import ai.booth.diffusion.nn.Ops;
import ai.booth.diffusion.nn.Scope;
import ai.booth.diffusion.nn.StateDict;
import ai.djl.ndarray.NDArray;

/**
 * diffusers' ResnetBlock2D (default time-embedding norm): conv2(silu(norm2(conv1(silu(norm1(x))) + proj(silu(temb)))))
 * plus the input (1×1 conv_shortcut when channels change), divided by output_scale_factor. The VAE uses it
 * without a time embedding ({@code tembChannels} 0).
 */
public final class ResnetBlock2D {

    private final GroupNorm norm1;
    private final Conv2d conv1;
    private final Linear timeEmbProj;
    private final GroupNorm norm2;
    private final Conv2d conv2;
    private final Conv2d shortcut;
    private final float outputScale;
    private final long out;

    public ResnetBlock2D(StateDict w, long in, long out, int tembChannels, int groups, float eps, double outputScale) {
        this.out = out;
        this.norm1 = new GroupNorm(w.at("norm1"), groups, in, eps);
        this.conv1 = Conv2d.same(w.at("conv1"), in, out, 3);
        this.timeEmbProj = tembChannels > 0 ? new Linear(w.at("time_emb_proj"), tembChannels, out, true) : null;
        this.norm2 = new GroupNorm(w.at("norm2"), groups, out, eps);
        this.conv2 = Conv2d.same(w.at("conv2"), out, out, 3);
        this.shortcut = in != out ? Conv2d.same(w.at("conv_shortcut"), in, out, 1) : null;
        this.outputScale = (float) outputScale;
    }

    public NDArray forward(NDArray x, NDArray temb) {
        try (Scope scope = Scope.of(x, temb)) {
            NDArray h = conv1.forward(Activations.silu(norm1.forward(x)));
            if (timeEmbProj != null) {
                h = Ops.add(h, timeEmbProj.forward(Activations.silu(temb)).reshape(temb.getShape().get(0), out, 1, 1));
            }
            h = conv2.forward(Activations.silu(norm2.forward(h)));
            NDArray y = shortcut == null ? Ops.add(h, x) : Ops.add(shortcut.forward(x), h);
            return scope.keep(outputScale == 1f ? y : Ops.divide(y, outputScale));
        }
    }
}
