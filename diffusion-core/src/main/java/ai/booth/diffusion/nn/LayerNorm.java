package ai.booth.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** torch.nn.LayerNorm over the last axis, weight and bias [dim]. */
public final class LayerNorm {

    private final Shape normalized;
    private final float eps;
    private final NDArray weight;
    private final NDArray bias;

    public LayerNorm(StateDict w, long dim, float eps) {
        this.normalized = new Shape(dim);
        this.eps = eps;
        this.weight = w.take("weight", dim);
        this.bias = w.take("bias", dim);
    }

    public NDArray forward(NDArray x) {
        long started = OpMeter.start();
        NDArray out = ai.djl.nn.norm.LayerNorm.layerNorm(x, normalized, weight, bias, eps).singletonOrThrow();
        OpMeter.stop(OpMeter.Kind.NORM, started);
        return out;
    }
}
