package ai.booth.diffusion.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.nio.ByteBuffer;
import java.util.Base64;

/**
 * {@code torch.Generator("cpu").manual_seed(seed)} followed by {@code torch.randn(shape, generator=g)} in float32,
 * bit for bit as PyTorch computes it on an x86 CPU with AVX2 (the normal kernel is never dispatched to AVX-512, so
 * that covers every current x86 machine). So a Booth seed draws the same initial latents as diffusers with
 * {@code generator=torch.Generator("cpu").manual_seed(seed)}, and a sequence of draws (latents, then ancestral
 * noise) continues the same stream.
 *
 * <p>How torch draws: tensors of 16 or more elements are filled with 24-bit uniforms, then turned into normals by
 * Box–Muller on blocks of 16, pairing element i with i+8; when the size is not a multiple of 16 the last 16
 * elements are re-drawn and transformed again. Smaller tensors take one double-precision Box–Muller sample per
 * element (53-bit uniforms from two 32-bit draws), the second value of each pair kept for the next call.
 *
 * <p>Noise is made on the CPU in Java and only then copied to the manager's device, so a seed gives the same noise
 * on every device. Each instance owns its state; calls on one instance are serialised. {@link #state()} and
 * {@link #restore} save and continue a stream exactly (training checkpoints resume bit for bit).
 */
public final class TorchGenerator implements NoiseSource {

    private static final float TWO_PI = (float) (2.0 * Math.PI);
    private static final double TWO_53 = 0x1p-53;
    private static final float TWO_24 = 0x1p-24f;
    private static final long MAX_RANDINT_RANGE = (1L << 24) + 1;

    private long seed;
    private MT19937 engine;
    private boolean hasCachedNormal;
    private double cachedNormal;

    public TorchGenerator(long seed) {
        manualSeed(seed);
    }

    /** The seed this generator was last (re)seeded with. */
    public synchronized long seed() {
        return seed;
    }

    /** Restarts the stream, like {@code Generator.manual_seed}: only the low 32 bits of the seed matter to torch. */
    public synchronized TorchGenerator manualSeed(long newSeed) {
        seed = newSeed;
        engine = new MT19937(newSeed);
        hasCachedNormal = false;
        return this;
    }

    @Override
    public NDArray randn(NDManager manager, Shape shape) {
        return manager.create(randn(shape.size()), shape);
    }

    /** The values of {@code torch.randn(numel)} (any shape of that many elements, row-major). */
    public synchronized float[] randn(long numel) {
        if (numel < 0 || numel > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("randn: cannot draw " + numel + " values");
        }
        int n = (int) numel;
        float[] data = new float[n];
        if (n >= 16) {
            fillVectorised(data);
        } else {
            for (int i = 0; i < n; i++) {
                data[i] = (float) nextDoubleNormal();
            }
        }
        return data;
    }

    /**
     * The values of {@code torch.rand(numel)} in float32: uniform on [0, 1) with 24 random bits each, drawn from
     * the same stream as {@link #randn}.
     */
    public synchronized float[] rand(long numel) {
        if (numel < 0 || numel > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("rand: cannot draw " + numel + " values");
        }
        float[] data = new float[(int) numel];
        for (int i = 0; i < data.length; i++) {
            data[i] = nextFloatUniform();
        }
        return data;
    }

    /**
     * The values of {@code torch.randint(low, high, (numel,))}: one 32-bit draw per value, {@code low + u % (high −
     * low)}, as torch's CPU kernel does. Checked against libtorch for ranges up to 2²⁴ + 1 (timesteps, indices);
     * libtorch 2.7 draws larger ranges differently, so they are refused rather than silently different.
     */
    public synchronized long[] randint(long low, long high, int numel) {
        long range = high - low;
        if (range <= 0 || range > MAX_RANDINT_RANGE || numel < 0) {
            throw new IllegalArgumentException("randint: need low < high with high - low <= 2^24 + 1 and numel >= 0, "
                    + "got [" + low + ", " + high + ") x " + numel);
        }
        long[] out = new long[numel];
        for (int i = 0; i < numel; i++) {
            out[i] = low + Integer.toUnsignedLong(engine.nextInt()) % range;
        }
        return out;
    }

    /** A snapshot of the stream: the seed, the Mersenne Twister state and the cached normal of scalar draws. */
    public synchronized State state() {
        return new State(seed, engine.state(), engine.position(), hasCachedNormal, cachedNormal);
    }

    /** Continues exactly where {@code state} was taken. */
    public synchronized void restore(State state) {
        engine = new MT19937(state.words(), state.position());
        seed = state.seed();
        hasCachedNormal = state.hasCachedNormal();
        cachedNormal = state.cachedNormal();
    }

    /** A generator's state (see {@link #state()}); {@link #encode()} makes a compact string for JSON files. */
    public record State(long seed, int[] words, int position, boolean hasCachedNormal, double cachedNormal) {

        private static final int BYTES = 8 + 4 + 624 * 4 + 1 + 8;

        public State {
            words = words.clone();
        }

        @Override
        public int[] words() {
            return words.clone();
        }

        public String encode() {
            ByteBuffer b = ByteBuffer.allocate(BYTES).putLong(seed).putInt(position);
            for (int w : words) {
                b.putInt(w);
            }
            b.put((byte) (hasCachedNormal ? 1 : 0)).putDouble(cachedNormal);
            return Base64.getEncoder().encodeToString(b.array());
        }

        public static State decode(String text) {
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(text);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("generator state is not base64: " + e.getMessage());
            }
            if (bytes.length != BYTES) {
                throw new IllegalArgumentException("generator state has " + bytes.length + " bytes, expected " + BYTES);
            }
            ByteBuffer b = ByteBuffer.wrap(bytes);
            long seed = b.getLong();
            int position = b.getInt();
            int[] words = new int[624];
            for (int i = 0; i < words.length; i++) {
                words[i] = b.getInt();
            }
            return new State(seed, words, position, b.get() != 0, b.getDouble());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof State s && s.seed == seed && s.position == position
                    && s.hasCachedNormal == hasCachedNormal && Double.compare(s.cachedNormal, cachedNormal) == 0
                    && java.util.Arrays.equals(s.words, words);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(words) * 31 + Long.hashCode(seed) + position;
        }
    }

    private void fillVectorised(float[] data) {
        int n = data.length;
        for (int i = 0; i < n; i++) {
            data[i] = nextFloatUniform();
        }
        float[] sincos = new float[2];
        for (int i = 0; i + 16 <= n; i += 16) {
            boxMuller16(data, i, sincos);
        }
        if (n % 16 != 0) {
            int tail = n - 16;
            for (int i = 0; i < 16; i++) {
                data[tail + i] = nextFloatUniform();
            }
            boxMuller16(data, tail, sincos);
        }
    }

    /** Turns 16 uniforms at {@code off} into 16 normals: (u[j], u[j+8]) → (r·cos θ, r·sin θ). */
    private static void boxMuller16(float[] data, int off, float[] sincos) {
        for (int j = 0; j < 8; j++) {
            float u1 = 1f - data[off + j];              // [0, 1) → (0, 1] for the log
            float u2 = data[off + j + 8];
            float radius = (float) Math.sqrt(-2f * CephesFloat.log(u1));
            CephesFloat.sincos(TWO_PI * u2, sincos);
            // torch ends with fma(n, std, mean) at std 1, mean 0: the same value, except that -0 becomes +0.
            data[off + j] = Math.fma(radius * sincos[1], 1f, 0f);
            data[off + j + 8] = Math.fma(radius * sincos[0], 1f, 0f);
        }
    }

    private float nextFloatUniform() {
        return (engine.nextInt() & 0xFFFFFF) * TWO_24;
    }

    private double nextDoubleUniform() {
        long hi = Integer.toUnsignedLong(engine.nextInt());
        long lo = Integer.toUnsignedLong(engine.nextInt());
        return (((hi << 32) | lo) & ((1L << 53) - 1)) * TWO_53;
    }

    private double nextDoubleNormal() {
        if (hasCachedNormal) {
            hasCachedNormal = false;
            return cachedNormal;
        }
        double u1 = nextDoubleUniform();
        double u2 = nextDoubleUniform();
        double r = Math.sqrt(-2.0 * StrictMath.log1p(-u2));
        double theta = 2.0 * Math.PI * u1;
        cachedNormal = r * StrictMath.sin(theta);
        hasCachedNormal = true;
        return r * StrictMath.cos(theta);
    }
}
