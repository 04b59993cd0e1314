package ai.booth.diffusion.nn;

import ai.djl.ndarray.NDArray;

/**
 * A low-rank adapter on one {@link Linear}: {@code Δy = scale · (alpha / rank) · (x·Aᵀ)·Bᵀ} with {@code lora_A}
 * [rank, in] and {@code lora_B} [out, rank]. The scale is mutable (per request, or 0 to switch the branch off);
 * A and B may require gradients for training. The base weight is never modified.
 */
public final class LoraBranch {

    private final String name;
    private final NDArray a;
    private final NDArray b;
    private final float alpha;
    private volatile float scale;

    public LoraBranch(String name, NDArray loraA, NDArray loraB, float alpha, float scale) {
        if (loraA.getShape().dimension() != 2 || loraB.getShape().dimension() != 2
                || loraA.getShape().get(0) != loraB.getShape().get(1)) {
            throw new IllegalArgumentException("LoRA '" + name + "': lora_A " + loraA.getShape() + " and lora_B "
                    + loraB.getShape() + " must be [rank, in] and [out, rank]");
        }
        this.name = name;
        this.a = loraA;
        this.b = loraB;
        this.alpha = alpha;
        this.scale = scale;
    }

    public String name() {
        return name;
    }

    public NDArray loraA() {
        return a;
    }

    public NDArray loraB() {
        return b;
    }

    public long rank() {
        return a.getShape().get(0);
    }

    public float alpha() {
        return alpha;
    }

    public float scale() {
        return scale;
    }

    public void setScale(float scale) {
        this.scale = scale;
    }

    /** The factor applied to {@code (x·Aᵀ)·Bᵀ}: scale · alpha / rank. */
    public float multiplier() {
        return scale * alpha / rank();
    }
}
