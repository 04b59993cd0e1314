package ai.booth.world;

/** splitmix64's finaliser over a few longs: seeds and texture noise that depend on their inputs only. */
final class Hash {

    private Hash() {
    }

    static long mix(long a, long b, long c) {
        long z = a * 0x9E3779B97F4A7C15L + b * 0xBF58476D1CE4E5B9L + c * 0x94D049BB133111EBL + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A value in [0, 1). */
    static double unit(long a, long b, long c) {
        return (mix(a, b, c) >>> 11) * 0x1.0p-53;
    }
}
