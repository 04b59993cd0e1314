package ai.booth.diffusion.unet;

import ai.booth.diffusion.nn.Activations;
import ai.booth.diffusion.nn.Linear;
import ai.booth.diffusion.nn.StateDict;
import ai.djl.ndarray.NDArray;

/** linear_1 → SiLU → linear_2: timestep features to the embedding every ResnetBlock2D receives. */
public final class TimestepEmbedding {

    private final Linear linear1;
    private final Linear linear2;

    public TimestepEmbedding(StateDict w, int in, int dim) {
        this.linear1 = new Linear(w.at("linear_1"), in, dim, true);
        this.linear2 = new Linear(w.at("linear_2"), dim, dim, true);
    }

    public NDArray forward(NDArray features) {
        return linear2.forward(Activations.silu(linear1.forward(features)));
    }
}
