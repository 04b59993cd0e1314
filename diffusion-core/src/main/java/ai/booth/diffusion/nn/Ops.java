package ai.booth.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Elementwise steps that may overwrite a temporary the caller just made. Without autograd (inference: libtorch's
 * grad mode is off unless a GradientCollector is open) they work in place, saving an allocation and a pass over
 * memory; with autograd they fall back to out-of-place ops, because backward may need the overwritten values.
 * The first argument must be a fresh temporary owned by the caller — never a model input or a weight.
 */
public final class Ops {

    private Ops() {
    }

    static boolean inPlace() {
        return !JniUtils.isGradMode();
    }

    /** fresh + other. */
    public static NDArray add(NDArray fresh, NDArray other) {
        return inPlace() ? fresh.addi(other) : fresh.add(other);
    }

    /** fresh · other. */
    public static NDArray mul(NDArray fresh, NDArray other) {
        return inPlace() ? fresh.muli(other) : fresh.mul(other);
    }

    /** fresh · scale + shift (an affine per channel, already broadcast-shaped). */
    public static NDArray affine(NDArray fresh, NDArray scale, NDArray shift) {
        return inPlace() ? fresh.muli(scale).addi(shift) : fresh.mul(scale).add(shift);
    }
}
