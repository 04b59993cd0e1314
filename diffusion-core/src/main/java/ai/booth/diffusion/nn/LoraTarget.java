package ai.booth.diffusion.nn;

import java.util.List;

/**
 * A layer that can carry {@link LoraBranch}es: {@link Linear} (attention projections, feed-forward, CLIP MLP) and
 * {@link Conv2d} (1×1 projections of SD-1 transformers, and 3×3 convolutions for LoCon-style adapters). Models
 * register every target under its diffusers/PEFT module path so adapters address layers by name.
 */
public interface LoraTarget {

    /** Module path, e.g. {@code down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q}. */
    String path();

    long inFeatures();

    long outFeatures();

    /** The spatial kernel size: 1 for a Linear. */
    default int kernelSize() {
        return 1;
    }

    /** Adds a branch after checking its factors fit this layer; the base weight is never touched. */
    void addLora(LoraBranch lora);

    boolean removeLora(LoraBranch lora);

    List<LoraBranch> loras();

    /** Checks {@code lora}'s factors against this layer: A [r, in(, k, k)] and B [out, r(, 1, 1)]. */
    default void checkFits(LoraBranch lora) {
        long[] a = lora.loraA().getShape().getShape();
        long[] b = lora.loraB().getShape().getShape();
        boolean fits = a[1] == inFeatures() && b[0] == outFeatures()
                && (a.length == 2 || a[2] == a[3] && (a[2] == kernelSize() || a[2] == 1 && kernelSize() == 1))
                && (b.length == 2 || b[2] == 1 && b[3] == 1);
        if (!fits) {
            throw new IllegalArgumentException("LoRA '" + lora.name() + "' on " + path() + " [out " + outFeatures()
                    + ", in " + inFeatures() + (kernelSize() > 1 ? ", kernel " + kernelSize() : "") + "]: lora_A "
                    + lora.loraA().getShape() + " / lora_B " + lora.loraB().getShape() + " do not fit");
        }
    }
}
