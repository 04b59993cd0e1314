package ai.booth.diffusion.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * DeepCache (Ma et al. 2023, "DeepCache: Accelerating Diffusion Models for Free"): a UNet's deep levels change little
 * from one denoising step to the next, so the whole UNet runs every {@code interval}-th call and keeps the input of
 * its last up block; the calls between run only the outermost level — conv_in, the first down block's layers, the
 * last up block, the head — on that kept input. One per denoising run (one image batch); it owns what it keeps.
 */
public final class DeepCache implements AutoCloseable {

    private final int interval;
    private final NDManager manager;
    private NDArray deep;
    private int calls;

    /** @param interval whole-UNet calls every this many (≥ 1; 1 runs every call whole) */
    public DeepCache(int interval, NDManager parent) {
        if (interval < 1) {
            throw new IllegalArgumentException("DeepCache interval must be at least 1, got " + interval);
        }
        this.interval = interval;
        this.manager = parent.newSubManager();
    }

    /** Whether this call runs the whole UNet; counts the call. */
    boolean wholeCall() {
        return calls++ % interval == 0 || deep == null;
    }

    /** Keeps {@code h}, the last up block's input of a whole call, in place of the previous one. */
    void keep(NDArray h) {
        if (deep != null) {
            deep.close();
        }
        h.attach(manager);
        deep = h;
    }

    /** The last kept input; it stays the cache's (callers attach it to their scope only temporarily). */
    NDArray deep() {
        return deep;
    }

    @Override
    public void close() {
        manager.close();
    }
}
