package ai.booth.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;


/**
 * torch.nn.Conv2d with square kernel, weight [out, in, k, k] and (unless built without) bias; runs libtorch's native
 * convolution. Like {@link Linear} it may carry LoRA branches (kohya adapters on SD-1's 1×1 projections, LoCon on 3×3
 * kernels): the down factor runs with this layer's stride and padding, the up factor as a 1×1 convolution.
 *
 * <p>Under autograd the convolution is computed as patches × weight matrix ({@link #patchConv}) instead of by
 * libtorch's kernel: libtorch 2.7.1's CPU convolution backward returns wrong input gradients on some machines
 * (AVX-512 oneDNN kernels: different on every run; single-threaded: wrong but repeatable), while the forward is
 * right — see {@code ConvolutionGradientTest}. Slices, stacking and matmul have plain backward formulas.
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
        this(w, in, out, kernel, stride, padding, true);
    }

    /** {@code bias} false for layers saved without one (CLIP's patch embedding). */
    public Conv2d(StateDict w, long in, long out, int kernel, int stride, int padding, boolean bias) {
        super(w.path(), in, out);
        this.kernel = kernel;
        this.weight = w.take("weight", out, in, kernel, kernel);
        this.bias = bias ? w.take("bias", out) : null;
        this.stride = new Shape(stride, stride);
        this.padding = new Shape(padding, padding);
        w.register(this);
    }

    /** A stride-1 convolution keeping the spatial size (padding (k−1)/2). */
    public static Conv2d same(StateDict w, long in, long out, int kernel) {
        return new Conv2d(w, in, out, kernel, 1, (kernel - 1) / 2);
    }

    public NDArray forward(NDArray x) {
        long started = OpMeter.start();
        NDArray y = conv(x, weight, bias, stride, padding);
        Shape s = y.getShape();
        long pixels = s.get(0) * s.get(2) * s.get(3);
        OpMeter.flops(OpMeter.Kind.CONVOLUTION, 2 * pixels * out * in * kernel * kernel);
        for (LoraBranch lora : loras) {
            float m = lora.multiplier();
            if (m != 0f) {
                NDArray a = lora.kernelA();
                long k = a.getShape().get(2);
                OpMeter.flops(OpMeter.Kind.CONVOLUTION, 2 * pixels * lora.rank() * (in * k * k + out));
                NDArray down = conv(x, a, null, stride, k == kernel ? padding : NO_PADDING);
                NDArray delta = conv(down, lora.kernelB(), null, UNIT, NO_PADDING);
                y = Ops.add(y, Ops.scale(delta, m));
            }
        }
        OpMeter.stop(OpMeter.Kind.CONVOLUTION, started);
        return y;
    }

    static NDArray conv(NDArray x, NDArray w, NDArray b, Shape stride, Shape padding) {
        if (JniUtils.isGradMode()) {
            return patchConv(x, w, b, stride.get(0), padding.get(0));
        }
        return x.getNDArrayInternal().convolution(x, w, b, stride, padding, UNIT, 1).singletonOrThrow();
    }

    /**
     * The same convolution as gathered patches times the weight as a matrix: pad, take the k·k strided shifts of the
     * input ([N, C, k·k, Ho·Wo] as [N, C·k·k, L]), then a linear map with weight [O, C·k·k] (its own layout
     * flattened) and bias.
     */
    static NDArray patchConv(NDArray x, NDArray w, NDArray b, long stride, long padding) {
        Shape s = x.getShape();
        long n = s.get(0);
        long c = s.get(1);
        long k = w.getShape().get(2);
        long ho = (s.get(2) + 2 * padding - k) / stride + 1;
        long wo = (s.get(3) + 2 * padding - k) / stride + 1;
        NDArray padded = padding == 0 ? x : x.pad(new Shape(padding, padding, padding, padding), 0);
        NDArray patches;
        if (k == 1 && stride == 1) {
            patches = padded.reshape(n, c, ho * wo);
        } else {
            NDList shifts = new NDList((int) (k * k));
            for (long i = 0; i < k; i++) {
                for (long j = 0; j < k; j++) {
                    shifts.add(padded.get(new NDIndex(":, :, " + i + ":" + (i + stride * (ho - 1) + 1) + ":" + stride
                            + ", " + j + ":" + (j + stride * (wo - 1) + 1) + ":" + stride)));
                }
            }
            patches = NDArrays.stack(shifts, 2).reshape(n, c * k * k, ho * wo);
        }
        NDArray matrix = w.reshape(w.getShape().get(0), c * k * k);
        matrix.attach(x.getManager());   // a view made from the weight lands in the weight's manager: a temporary
        NDArray y = ai.djl.nn.core.Linear.linear(patches.swapAxes(1, 2), matrix, b).singletonOrThrow();
        return y.swapAxes(1, 2).reshape(n, w.getShape().get(0), ho, wo);
    }

    @Override
    public int kernelSize() {
        return kernel;
    }

    public long outChannels() {
        return out;
    }
}
