package ai.booth.diffusion.nn;

import ai.djl.ndarray.NDArray;

import java.util.Locale;
import java.util.function.UnaryOperator;

/** The activations SD models use, by the names their configs give. */
public final class Activations {

    private Activations() {
    }

    /** x·σ(x) (a.k.a. swish). */
    public static NDArray silu(NDArray x) {
        return Ops.mul(x.getNDArrayInternal().sigmoid(), x);
    }

    /** Exact (erf) GELU, torch's default. */
    public static NDArray gelu(NDArray x) {
        return x.getNDArrayInternal().gelu();
    }

    /** x·σ(1.702x), OpenAI CLIP's approximation. */
    public static NDArray quickGelu(NDArray x) {
        return Ops.mul(Ops.scale(x, 1.702f).getNDArrayInternal().sigmoid(), x);
    }

    /** The activation named by a config's {@code act_fn} / {@code hidden_act}. */
    public static UnaryOperator<NDArray> byName(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "silu", "swish" -> Activations::silu;
            case "gelu" -> Activations::gelu;
            case "quick_gelu" -> Activations::quickGelu;
            default -> throw new IllegalArgumentException("unsupported activation '" + name
                    + "': supported are silu, gelu, quick_gelu");
        };
    }
}
