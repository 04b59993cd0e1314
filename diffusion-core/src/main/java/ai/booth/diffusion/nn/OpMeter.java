package ai.booth.diffusion.nn;

import java.util.concurrent.atomic.LongAdder;

/**
 * What the heavy ops compute and, when a benchmark asks, how long they take, per kind: floating-point operations of
 * convolutions, linears and attention matmuls (2 per multiply-add) as the blocks run them, so a benchmark reports
 * achieved GFLOP/s from what was actually computed; and wall time per kind (norms too), so it shows where a forward
 * loses against the matmul rate. Whatever no kind covers (elementwise ops, layout copies, glue) is the rest of a
 * forward's time. Process-wide; counting stays on, timing is off unless {@link #timing} turns it on (a clock read per
 * op, and on CPUs only meaningful: a GPU op returns before it ran).
 */
public final class OpMeter {

    /** The kinds of op measured; each is counted where it runs (no kind contains another). */
    public enum Kind { CONVOLUTION, LINEAR, ATTENTION, NORM }

    private static final LongAdder[] FLOPS = adders();
    private static final LongAdder[] NANOS = adders();
    private static volatile boolean timing;

    private OpMeter() {
    }

    public static void flops(Kind kind, long flops) {
        FLOPS[kind.ordinal()].add(flops);
    }

    /** A start time to hand to {@link #stop}, or 0 when timing is off. */
    public static long start() {
        return timing ? System.nanoTime() : 0L;
    }

    public static void stop(Kind kind, long start) {
        if (start != 0L) {
            NANOS[kind.ordinal()].add(System.nanoTime() - start);
        }
    }

    public static void timing(boolean on) {
        timing = on;
    }

    /** FLOPs of every kind since the last {@link #reset}. */
    public static long flops() {
        long sum = 0;
        for (LongAdder a : FLOPS) {
            sum += a.sum();
        }
        return sum;
    }

    public static long flops(Kind kind) {
        return FLOPS[kind.ordinal()].sum();
    }

    public static long nanos(Kind kind) {
        return NANOS[kind.ordinal()].sum();
    }

    public static void reset() {
        for (int i = 0; i < FLOPS.length; i++) {
            FLOPS[i].reset();
            NANOS[i].reset();
        }
    }

    private static LongAdder[] adders() {
        LongAdder[] out = new LongAdder[Kind.values().length];
        for (int i = 0; i < out.length; i++) {
            out[i] = new LongAdder();
        }
        return out;
    }
}
