package ai.booth.diffusion.unet;

import ai.booth.diffusion.nn.Activations;
import ai.booth.diffusion.nn.Linear;
import ai.booth.diffusion.nn.Ops;
import ai.booth.diffusion.nn.StateDict;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/** GEGLU feed-forward: net.0.proj to 2·inner, value · gelu(gate), net.2 back to dim (inner = 4·dim). */
public final class FeedForward {

    private final Linear proj;
    private final Linear out;

    public FeedForward(StateDict w, long dim) {
        long inner = 4 * dim;
        this.proj = new Linear(w.at("net.0.proj"), dim, 2 * inner, true);
        this.out = new Linear(w.at("net.2"), inner, dim, true);
    }

    public NDArray forward(NDArray x) {
        NDArray both = proj.forward(x);
        NDList halves = both.split(2, both.getShape().dimension() - 1);
        return out.forward(Ops.mul(Activations.gelu(halves.get(1)), halves.get(0)));
    }
}
