package ai.booth.diffusion.nn;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A layer that can carry {@link LoraBranch}es: {@link Linear} (attention projections, feed-forward, CLIP MLP) and
 * {@link Conv2d} (1×1 projections of SD-1 transformers, and 3×3 convolutions for LoCon-style adapters). Models
 * register every target under its diffusers/PEFT module path so adapters address layers by name. Branches may be
 * added and removed while other threads run the layer (copy-on-write).
 */
public abstract sealed class LoraTarget permits Linear, Conv2d {

    private final String path;
    protected final long in;
    protected final long out;
    protected final List<LoraBranch> loras = new CopyOnWriteArrayList<>();

    protected LoraTarget(String path, long in, long out) {
        this.path = path;
        this.in = in;
        this.out = out;
    }

    /** Module path, e.g. {@code down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q}. */
    public String path() {
        return path;
    }

    public long inFeatures() {
        return in;
    }

    public long outFeatures() {
        return out;
    }

    /** The spatial kernel size: 1 for a Linear. */
    public int kernelSize() {
        return 1;
    }

    /** Adds a branch after checking its factors fit this layer; the base weight is never touched. */
    public void addLora(LoraBranch lora) {
        checkFits(lora);
        loras.add(lora);
    }

    public boolean removeLora(LoraBranch lora) {
        return loras.remove(lora);
    }

    public List<LoraBranch> loras() {
        return List.copyOf(loras);
    }

    public void clearLoras() {
        loras.clear();
    }

    /** Checks {@code lora}'s factors against this layer: A [r, in(, k, k)] and B [out, r(, 1, 1)]. */
    public void checkFits(LoraBranch lora) {
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
