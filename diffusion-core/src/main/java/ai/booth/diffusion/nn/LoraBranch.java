package ai.booth.diffusion.nn;

import ai.djl.ndarray.NDArray;

/**
 * A low-rank adapter on one {@link LoraTarget}: {@code Δy = scale · (alpha / rank) · (x·Aᵀ)·Bᵀ} with {@code lora_A}
 * [rank, in] and {@code lora_B} [out, rank] for a Linear; for a convolution A is [rank, in, k, k] (applied with the
 * layer's stride and padding) and B [out, rank, 1, 1]. The scale is mutable (per request, or 0 to switch the branch
 * off); A and B may require gradients for training. The base weight is never modified.
 */
public final class LoraBranch {

    private final String name;
    private final NDArray a;
    private final NDArray b;
    private final NDArray matrixA;
    private final NDArray matrixB;
    private final NDArray kernelA;
    private final NDArray kernelB;
    private final float alpha;
    private volatile float scale;

    public LoraBranch(String name, NDArray loraA, NDArray loraB, float alpha, float scale) {
        int da = loraA.getShape().dimension();
        int db = loraB.getShape().dimension();
        if ((da != 2 && da != 4) || (db != 2 && db != 4) || loraA.getShape().get(0) != loraB.getShape().get(1)) {
            throw new IllegalArgumentException("LoRA '" + name + "': lora_A " + loraA.getShape() + " and lora_B "
                    + loraB.getShape() + " must be [rank, in(, k, k)] and [out, rank(, 1, 1)]");
        }
        this.name = name;
        this.a = loraA;
        this.b = loraB;
        // Views for the other layer kind, made once: a 1×1 kernel is a matrix and vice versa. A factor already in
        // the needed form is used as is, so gradients of trainable (2-D) factors flow through Linear targets.
        long r = loraA.getShape().get(0);
        this.matrixA = da == 4 && loraA.getShape().get(2) == 1 ? loraA.reshape(r, -1) : loraA;
        this.matrixB = db == 4 ? loraB.reshape(loraB.getShape().get(0), r) : loraB;
        this.kernelA = da == 2 ? loraA.reshape(r, loraA.getShape().get(1), 1, 1) : loraA;
        this.kernelB = db == 2 ? loraB.reshape(loraB.getShape().get(0), r, 1, 1) : loraB;
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

    /** A as [rank, in] (for a Linear; a 1×1 kernel flattened). */
    NDArray matrixA() {
        return matrixA;
    }

    /** B as [out, rank]. */
    NDArray matrixB() {
        return matrixB;
    }

    /** A as a kernel [rank, in, k, k] (for a convolution). */
    NDArray kernelA() {
        return kernelA;
    }

    /** B as a 1×1 kernel [out, rank, 1, 1]. */
    NDArray kernelB() {
        return kernelB;
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

    /**
     * Frees the reshaped views this branch made of its factors (not the factors). Views live in the factors' manager,
     * so a branch made per request on a long-lived adapter must release them when it is detached.
     */
    public void releaseViews() {
        for (NDArray view : new NDArray[] {matrixA, matrixB, kernelA, kernelB}) {
            if (view != a && view != b) {
                view.close();
            }
        }
    }

    /** The factor applied to {@code (x·Aᵀ)·Bᵀ}: scale · alpha / rank. */
    public float multiplier() {
        return scale * alpha / rank();
    }
}
