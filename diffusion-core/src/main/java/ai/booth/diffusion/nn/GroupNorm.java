package ai.booth.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.LayerNorm;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * torch.nn.GroupNorm over [N, C, ...]: one native layer_norm on the [N, G, C/G·spatial] view (the same biased
 * variance and eps placement as group_norm), then the per-channel affine.
 */
public final class GroupNorm {

    private final int groups;
    private final long channels;
    private final float eps;
    private final NDArray weight;
    private final NDArray bias;
    /** Identity affine for the group-wide layer_norm (DJL's binding requires one), cached per group size. */
    private final Map<Long, NDArray[]> identity = new ConcurrentHashMap<>();

    public GroupNorm(StateDict w, int groups, long channels, float eps) {
        if (channels % groups != 0) {
            throw new IllegalArgumentException(w.path() + ": " + channels + " channels do not split into "
                    + groups + " groups");
        }
        this.groups = groups;
        this.channels = channels;
        this.eps = eps;
        this.weight = w.take("weight", channels);
        this.bias = w.take("bias", channels);
    }

    public NDArray forward(NDArray x) {
        long started = OpMeter.start();
        Shape shape = x.getShape();
        long n = shape.get(0);
        long groupSize = shape.size() / (n * groups);
        NDArray[] id = identity.computeIfAbsent(groupSize, len -> new NDArray[] {
                weight.getManager().ones(new Shape(len), weight.getDataType()),
                weight.getManager().zeros(new Shape(len), weight.getDataType())});
        NDArray normed = LayerNorm.layerNorm(x.reshape(n, groups, groupSize), new Shape(groupSize), id[0], id[1], eps)
                .singletonOrThrow()
                .reshape(shape);
        NDArray out = Ops.affine(normed, perChannel(weight, normed), perChannel(bias, normed));
        OpMeter.stop(OpMeter.Kind.NORM, started);
        return out;
    }

    /**
     * The affine's weight or bias as [C, 1, 1] / [C, 1] for a 4-D / 3-D input, made per call (a view made once would
     * not pass gradients to a weight that is trained later) and owned by the input's manager.
     */
    private NDArray perChannel(NDArray p, NDArray like) {
        NDArray view = like.getShape().dimension() == 4 ? p.reshape(channels, 1, 1) : p.reshape(channels, 1);
        view.attach(like.getManager());
        return view;
    }

    public DataType dtype() {
        return weight.getDataType();
    }
}
