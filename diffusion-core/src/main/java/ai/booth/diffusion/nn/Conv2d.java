package ai.booth.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** torch.nn.Conv2d with square kernel, weight [out, in, k, k] and bias; runs libtorch's native convolution. */
public final class Conv2d {

    private final NDArray weight;
    private final NDArray bias;
    private final long in;
    private final long out;
    private final int kernel;
    private final Shape stride;
    private final Shape padding;

    public Conv2d(StateDict w, long in, long out, int kernel, int stride, int padding) {
        this.in = in;
        this.out = out;
        this.kernel = kernel;
        this.weight = w.take("weight", out, in, kernel, kernel);
        this.bias = w.take("bias", out);
        this.stride = new Shape(stride, stride);
        this.padding = new Shape(padding, padding);
    }

    /** A stride-1 convolution keeping the spatial size (padding (k−1)/2). */
    public static Conv2d same(StateDict w, long in, long out, int kernel) {
        return new Conv2d(w, in, out, kernel, 1, (kernel - 1) / 2);
    }

    public NDArray forward(NDArray x) {
        NDArray y = x.getNDArrayInternal()
                .convolution(x, weight, bias, stride, padding, new Shape(1, 1), 1)
                .singletonOrThrow();
        Shape s = y.getShape();
        Flops.add(2 * s.get(0) * out * s.get(2) * s.get(3) * in * kernel * kernel);
        return y;
    }

    public long outChannels() {
        return out;
    }
}
