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
    /** weight and bias as [C, 1, 1] and [C, 1], for 4-D and 3-D inputs. */
    private final NDArray scale4;
    private final NDArray shift4;
    private final NDArray scale3;
    private final NDArray shift3;
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
        NDArray weight = w.take("weight", channels);
        NDArray bias = w.take("bias", channels);
        this.scale4 = weight == null ? null : weight.reshape(channels, 1, 1);
        this.shift4 = bias == null ? null : bias.reshape(channels, 1, 1);
        this.scale3 = weight == null ? null : weight.reshape(channels, 1);
        this.shift3 = bias == null ? null : bias.reshape(channels, 1);
    }

    public NDArray forward(NDArray x) {
        Shape shape = x.getShape();
        long n = shape.get(0);
        long groupSize = shape.size() / (n * groups);
        NDArray[] id = identity.computeIfAbsent(groupSize, len -> new NDArray[] {
                scale4.getManager().ones(new Shape(len), scale4.getDataType()),
                scale4.getManager().zeros(new Shape(len), scale4.getDataType())});
        NDArray normed = LayerNorm.layerNorm(x.reshape(n, groups, groupSize), new Shape(groupSize), id[0], id[1], eps)
                .singletonOrThrow()
                .reshape(shape);
        boolean image = shape.dimension() == 4;
        return Ops.affine(normed, image ? scale4 : scale3, image ? shift4 : shift3);
    }

    public DataType dtype() {
        return scale4.getDataType();
    }
}
