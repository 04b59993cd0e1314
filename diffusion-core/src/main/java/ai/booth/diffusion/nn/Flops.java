package ai.booth.diffusion.nn;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the floating-point operations of the heavy ops (convolutions, linears, attention matmuls; 2 per
 * multiply-add) as the blocks run them, so a benchmark reports achieved GFLOP/s from what was actually computed.
 * Process-wide; cheap enough to stay on.
 */
public final class Flops {

    private static final LongAdder COUNT = new LongAdder();

    private Flops() {
    }

    public static void add(long flops) {
        COUNT.add(flops);
    }

    public static long count() {
        return COUNT.sum();
    }

    public static void reset() {
        COUNT.reset();
    }
}
