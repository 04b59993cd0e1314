package ai.booth.diffusion.train;

import ai.djl.ndarray.NDArray;

import java.util.Collection;

/**
 * Dynamic loss scaling for float16 training, as {@code torch.cuda.amp.GradScaler}: the loss is multiplied by a
 * large scale before backward so small half-precision gradients do not flush to zero; gradients are divided by it
 * before the optimizer. A step whose gradients overflowed (inf/NaN) is skipped and the scale halved; after
 * {@code growthInterval} good steps in a row it doubles. {@link #disabled()} (float32) scales by 1 and never skips.
 */
public final class LossScaler {

    private final boolean enabled;
    private final int growthInterval;
    private float scale;
    private int goodSteps;

    private LossScaler(boolean enabled, float initialScale, int growthInterval) {
        this.enabled = enabled;
        this.scale = initialScale;
        this.growthInterval = growthInterval;
    }

    /** GradScaler's defaults: scale 2¹⁶, growth ×2 every 2000 good steps, backoff ×0.5. */
    public static LossScaler dynamic() {
        return new LossScaler(true, 65536f, 2000);
    }

    public static LossScaler disabled() {
        return new LossScaler(false, 1f, Integer.MAX_VALUE);
    }

    public boolean enabled() {
        return enabled;
    }

    public float scale() {
        return scale;
    }

    public int goodSteps() {
        return goodSteps;
    }

    /** Continues from a checkpoint. */
    public void restore(float savedScale, int savedGoodSteps) {
        this.scale = savedScale;
        this.goodSteps = savedGoodSteps;
    }

    /**
     * Divides the gradients by the scale in place; reports whether all of them are finite (always true when
     * disabled), and updates the scale for the next step.
     */
    public boolean unscale(Collection<NDArray> gradients) {
        if (!enabled) {
            return true;
        }
        boolean finite = true;
        for (NDArray g : gradients) {
            g.muli(1f / scale);
            try (NDArray inf = g.isInfinite(); NDArray nan = g.isNaN(); NDArray a = inf.any(); NDArray b = nan.any()) {
                finite &= !a.getBoolean() && !b.getBoolean();
            }
        }
        if (finite) {
            if (++goodSteps >= growthInterval) {
                scale *= 2;
                goodSteps = 0;
            }
        } else {
            scale *= 0.5f;
            goodSteps = 0;
        }
        return finite;
    }
}
