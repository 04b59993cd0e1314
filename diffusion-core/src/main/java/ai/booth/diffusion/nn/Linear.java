package ai.booth.diffusion.nn;

import ai.djl.ndarray.NDArray;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@code y = x·Wᵀ + b} (torch.nn.Linear, weight [out, in]) plus any {@link LoraBranch}es whose scale is not 0.
 * Registers itself in the {@link StateDict} under its module path so LoRA loaders and trainers find it by name.
 */
public final class Linear implements LoraTarget {

    private final String path;
    private final long in;
    private final long out;
    private final NDArray weight;
    private final NDArray bias;
    private final List<LoraBranch> loras = new CopyOnWriteArrayList<>();

    public Linear(StateDict w, long in, long out, boolean bias) {
        this.path = w.path();
        this.in = in;
        this.out = out;
        this.weight = w.take("weight", out, in);
        this.bias = bias ? w.take("bias", out) : null;
        w.register(this);
    }

    public NDArray forward(NDArray x) {
        long rows = x.getShape().size() / in;
        Flops.add(2 * rows * in * out);
        NDArray y = ai.djl.nn.core.Linear.linear(x, weight, bias).singletonOrThrow();
        for (LoraBranch lora : loras) {
            float m = lora.multiplier();
            if (m != 0f) {
                long r = lora.rank();
                Flops.add(2 * rows * r * (in + out));
                NDArray down = ai.djl.nn.core.Linear.linear(x, lora.matrixA()).singletonOrThrow();
                NDArray delta = ai.djl.nn.core.Linear.linear(down, lora.matrixB()).singletonOrThrow();
                y = Ops.add(y, Ops.scale(delta, m));
            }
        }
        return y;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public long inFeatures() {
        return in;
    }

    @Override
    public long outFeatures() {
        return out;
    }

    public NDArray weight() {
        return weight;
    }

    public NDArray bias() {
        return bias;
    }

    @Override
    public List<LoraBranch> loras() {
        return List.copyOf(loras);
    }

    /** Adds an adapter; its factors must be [rank, in] and [out, rank] (1×1 kernels are flattened). */
    @Override
    public void addLora(LoraBranch lora) {
        checkFits(lora);
        loras.add(lora);
    }

    @Override
    public boolean removeLora(LoraBranch lora) {
        return loras.remove(lora);
    }

    public void clearLoras() {
        loras.clear();
    }
}
