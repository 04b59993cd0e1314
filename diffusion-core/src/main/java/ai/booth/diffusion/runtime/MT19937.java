package ai.booth.diffusion.runtime;

/**
 * The 32-bit Mersenne Twister exactly as {@code at::mt19937} (PyTorch's CPU engine): seeded with the low 32 bits
 * of the seed by Knuth's initialisation, the whole state twisted lazily when it runs out. Not thread-safe; the
 * owning generator serialises access.
 */
final class MT19937 {

    private static final int N = 624;
    private static final int M = 397;
    private static final int MATRIX_A = 0x9908b0df;
    private static final int UPPER = 0x80000000;
    private static final int LOWER = 0x7fffffff;

    private final int[] state = new int[N];
    private int next;

    MT19937(long seed) {
        state[0] = (int) seed;
        for (int j = 1; j < N; j++) {
            int prev = state[j - 1];
            state[j] = 1812433253 * (prev ^ (prev >>> 30)) + j;
        }
        next = N;
    }

    /** A generator continuing from a {@link #state()} snapshot. */
    MT19937(int[] state, int next) {
        if (state.length != N || next < 0 || next > N) {
            throw new IllegalArgumentException("MT19937 state must be " + N + " words and a position 0.." + N
                    + ", got " + state.length + " words at " + next);
        }
        System.arraycopy(state, 0, this.state, 0, N);
        this.next = next;
    }

    /** A copy of the 624 state words; with {@link #position()} it continues the stream exactly. */
    int[] state() {
        return state.clone();
    }

    /** How many words of the current state have been used (624: twist before the next draw). */
    int position() {
        return next;
    }

    /** The next 32 random bits, as an unsigned value in an int. */
    int nextInt() {
        if (next == N) {
            twist();
        }
        int y = state[next++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y;
    }

    private void twist() {
        for (int k = 0; k < N; k++) {
            int y = (state[k] & UPPER) | (state[(k + 1) % N] & LOWER);
            state[k] = state[(k + M) % N] ^ (y >>> 1) ^ ((y & 1) != 0 ? MATRIX_A : 0);
        }
        next = 0;
    }
}
