package ai.booth.diffusion.unet;

import ai.booth.diffusion.nn.Conv2d;
import ai.booth.diffusion.nn.Scope;
import ai.booth.diffusion.nn.StateDict;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** Stride-2 3×3 conv; with padding 0 (the VAE) the input is first padded by one on the right and bottom. */
public final class Downsample2D {

    private final Conv2d conv;
    private final boolean padRightBottom;

    public Downsample2D(StateDict w, long channels, int padding) {
        this.conv = new Conv2d(w.at("conv"), channels, channels, 3, 2, padding);
        this.padRightBottom = padding == 0;
    }

    public NDArray forward(NDArray x) {
        if (!padRightBottom) {
            return conv.forward(x);
        }
        try (Scope scope = Scope.of(x)) {
            return scope.keep(conv.forward(x.pad(new Shape(0, 1, 0, 1), 0)));
        }
    }
}
