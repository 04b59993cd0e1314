package ai.booth.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;


/**
 * torch.nn.Conv2d with square kernel, weight [out, in, k, k] and bias; runs libtorch's native convolution. Like
 * {@link Linear} it may carry LoRA branches (kohya adapters on SD-1's 1×1 projections, LoCon on 3×3 kernels): the
 * down factor runs with this layer's stride and padding, the up factor as a 1×1 convolution.
 */
public final class Conv2d extends LoraTarget {

    private static final Shape UNIT = new Shape(1, 1);
    private static final Shape NO_PADDING = new Shape(0, 0);

    private final NDArray weight;
    private final NDArray bias;
    private final int kernel;
    private final Shape stride;
    private final Shape padding;

    public Conv2d(StateDict w, long in, long out, int kernel, int stride, int padding) {
        super(w.path(), in, out);
        this.kernel = kernel;
        this.weight = w.take("weight", out, in, kernel, kernel);
        this.bias = w.take("bias", out);
        this.stride = new Shape(stride, stride);
        this.padding = new Shape(padding, padding);
        w.register(this);
    }

    /** A stride-1 convolution keeping the spatial size (padding (k−1)/2). */
    public static Conv2d same(StateDict w, long in, long out, int kernel) {
        return new Conv2d(w, in, out, kernel, 1, (kernel - 1) / 2);
    }

    public NDArray forward(NDArray x) {
        NDArray y = conv(x, weight, bias, stride, padding);
        Shape s = y.getShape();
        long pixels = s.get(0) * s.get(2) * s.get(3);
        Flops.add(2 * pixels * out * in * kernel * kernel);
        for (LoraBranch lora : loras) {
            float m = lora.multiplier();
            if (m != 0f) {
                NDArray a = lora.kernelA();
                long k = a.getShape().get(2);
                Flops.add(2 * pixels * lora.rank() * (in * k * k + out));
                NDArray down = conv(x, a, null, stride, k == kernel ? padding : NO_PADDING);
                NDArray delta = conv(down, lora.kernelB(), null, UNIT, NO_PADDING);
                y = Ops.add(y, Ops.scale(delta, m));
            }
        }
        return y;
    }

    private static NDArray conv(NDArray x, NDArray w, NDArray b, Shape stride, Shape padding) {
        return x.getNDArrayInternal().convolution(x, w, b, stride, padding, UNIT, 1).singletonOrThrow();
    }

    @Override
    public int kernelSize() {
        return kernel;
    }

    public long outChannels() {
        return out;
    }
}
