package ai.booth.diffusion.unet;

import ai.booth.diffusion.nn.Conv2d;
import ai.booth.diffusion.nn.Scope;
import ai.booth.diffusion.nn.StateDict;
import ai.djl.ndarray.NDArray;

/** Nearest-neighbour upsampling (to twice the size, or to the skip connection's size) followed by a 3×3 conv. */
public final class Upsample2D {

    /** DJL's interpolation code for nearest. */
    private static final int NEAREST = 0;

    private final Conv2d conv;

    public Upsample2D(StateDict w, long channels) {
        this.conv = Conv2d.same(w.at("conv"), channels, channels, 3);
    }

    /** @param height,width target size; diffusers uses 2× unless the skip connection below has an odd size */
    public NDArray forward(NDArray x, long height, long width) {
        try (Scope scope = Scope.of(x)) {
            NDArray up = x.getNDArrayInternal().interpolation(new long[] {height, width}, NEAREST, false);
            return scope.keep(conv.forward(up));
        }
    }

    public NDArray forward(NDArray x) {
        return forward(x, x.getShape().get(2) * 2, x.getShape().get(3) * 2);
    }
}
