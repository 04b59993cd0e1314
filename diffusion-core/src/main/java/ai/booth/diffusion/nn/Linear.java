package ai.booth.diffusion.nn;

import ai.djl.ndarray.NDArray;

/**
 * {@code y = x·Wᵀ + b} (torch.nn.Linear, weight [out, in]) plus any {@link LoraBranch}es whose scale is not 0.
 * Registers itself in the {@link StateDict} under its module path so LoRA loaders and trainers find it by name.
 */
public final class Linear extends LoraTarget {

    private final NDArray weight;
    private final NDArray bias;

    public Linear(StateDict w, long in, long out, boolean bias) {
        super(w.path(), in, out);
        this.weight = w.take("weight", out, in);
        this.bias = bias ? w.take("bias", out) : null;
        w.register(this);
    }

    public NDArray forward(NDArray x) {
        long started = OpMeter.start();
        long rows = x.getShape().size() / in;
        OpMeter.flops(OpMeter.Kind.LINEAR, 2 * rows * in * out);
        NDArray y = ai.djl.nn.core.Linear.linear(x, weight, bias).singletonOrThrow();
        for (LoraBranch lora : loras) {
            float m = lora.multiplier();
            if (m != 0f) {
                long r = lora.rank();
                OpMeter.flops(OpMeter.Kind.LINEAR, 2 * rows * r * (in + out));
                NDArray down = ai.djl.nn.core.Linear.linear(x, lora.matrixA()).singletonOrThrow();
                NDArray delta = ai.djl.nn.core.Linear.linear(down, lora.matrixB()).singletonOrThrow();
                y = Ops.add(y, Ops.scale(delta, m));
            }
        }
        OpMeter.stop(OpMeter.Kind.LINEAR, started);
        return y;
    }

    public NDArray weight() {
        return weight;
    }

    public NDArray bias() {
        return bias;
    }
}
