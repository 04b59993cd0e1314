package ai.booth.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Elementwise steps that may overwrite a temporary the caller just made. Without autograd (inference: libtorch's
 * grad mode is off unless a GradientCollector is open) they work in place, saving an allocation and a pass over
 * memory; with autograd they fall back to out-of-place ops, because backward may need the overwritten values.
 * The first argument must be a fresh temporary owned by the caller — never a model input or a weight.
 *
 * <p>{@link #scale} and {@link #divide} are the autograd-safe forms of {@code mul(Number)} / {@code div(Number)}.
 * DJL wraps the number in a 0-d tensor over a direct Java buffer ({@code from_blob}) and closes it right after the
 * op; autograd keeps that tensor for backward (d(x·s)/dx needs s), and once a garbage collection frees the
 * unreachable buffer, backward reads freed memory — NaN or silently wrong gradients. Their scalar is allocated by
 * libtorch instead, so the graph's reference keeps it alive.
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

    /** x · s (a new array; see the class comment for why not {@code x.mul(s)} under autograd). */
    public static NDArray scale(NDArray x, float s) {
        if (!JniUtils.isGradMode()) {
            return x.mul(s);
        }
        try (NDArray c = scalar(x, s)) {
            return x.mul(c);
        }
    }

    /** x / s (a new array), autograd-safe like {@link #scale}. */
    public static NDArray divide(NDArray x, float s) {
        if (!JniUtils.isGradMode()) {
            return x.div(s);
        }
        try (NDArray c = scalar(x, s)) {
            return x.div(c);
        }
    }

    /**
     * x as float32, keeping the autograd graph: DJL's {@code toType} runs under libtorch's no-grad guard, so under
     * autograd the widening is done by type promotion instead (x · a float32 one of shape [1]).
     */
    public static NDArray toFloat32(NDArray x) {
        if (x.getDataType() == DataType.FLOAT32 || !JniUtils.isGradMode()) {
            return x.toType(DataType.FLOAT32, false);
        }
        try (NDArray one = x.getManager().full(new Shape(1), 1f, DataType.FLOAT32).toDevice(x.getDevice(), false)) {
            return x.mul(one);
        }
    }

    /** A 0-d tensor of {@code value} in libtorch-owned memory, on {@code like}'s device and dtype. */
    private static NDArray scalar(NDArray like, float value) {
        return like.getManager().full(new Shape(), value, like.getDataType()).toDevice(like.getDevice(), false);
    }

    /** fresh · scale + shift (an affine per channel, already broadcast-shaped). */
    public static NDArray affine(NDArray fresh, NDArray scale, NDArray shift) {
        return inPlace() ? fresh.muli(scale).addi(shift) : fresh.mul(scale).add(shift);
    }
}
