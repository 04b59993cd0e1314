package ai.booth.diffusion.nn;

import ai.djl.ndarray.NDArray;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@code y = x·Wᵀ + b} (torch.nn.Linear, weight [out, in]) plus any {@link LoraBranch}es whose scale is not 0.
 * Registers itself in the {@link StateDict} under its module path so LoRA loaders and trainers find it by name.
 */
public final class Linear {

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
                NDArray down = ai.djl.nn.core.Linear.linear(x, lora.loraA()).singletonOrThrow();
                NDArray delta = ai.djl.nn.core.Linear.linear(down, lora.loraB()).singletonOrThrow();
                y = Ops.add(y, delta.mul(m));
            }
        }
        return y;
    }

    public String path() {
        return path;
    }

    public long inFeatures() {
        return in;
    }

    public long outFeatures() {
        return out;
    }

    public NDArray weight() {
        return weight;
    }

    public NDArray bias() {
        return bias;
    }

    public List<LoraBranch> loras() {
        return List.copyOf(loras);
    }

    /** Adds an adapter; its factors must be [rank, in] and [out, rank] for this layer. */
    public void addLora(LoraBranch lora) {
        if (lora.loraA().getShape().get(1) != in || lora.loraB().getShape().get(0) != out) {
            throw new IllegalArgumentException("LoRA '" + lora.name() + "' on " + path + " [out " + out + ", in " + in
                    + "]: lora_A " + lora.loraA().getShape() + " / lora_B " + lora.loraB().getShape() + " do not fit");
        }
        loras.add(lora);
    }

    public boolean removeLora(LoraBranch lora) {
        return loras.remove(lora);
    }

    public void clearLoras() {
        loras.clear();
    }
}
