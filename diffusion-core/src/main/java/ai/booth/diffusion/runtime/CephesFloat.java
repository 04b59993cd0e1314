package ai.booth.diffusion.runtime;

/**
 * Single-precision log and sincos, operation for operation as PyTorch's AVX2 kernels compute them
 * ({@code aten/src/ATen/native/cpu/avx_mathfun.h}, Cephes polynomials after Pommier's sse_mathfun), one lane at a
 * time. They are not the correctly rounded functions: torch's normal sampler uses exactly these roundings, so
 * reproducing its bits needs the same sequence of float operations, including where the compiler fused a
 * multiply and an add into one FMA. GCC contracts {@code a*b + c} into FMA under PyTorch's AVX2 flags
 * ({@code -mavx2 -mfma}), and the fused form is the one that matches libtorch 2.7.1 and Debian's 1.13 bit for bit
 * (the plain form differs in about 1% of elements by one ulp).
 */
final class CephesFloat {

    // C stores these double literals into float arrays: convert the same way (decimal → double → float).
    private static final float SQRTHF = (float) 0.707106781186547524;
    private static final float[] LOG_P = {
        (float) 7.0376836292E-2, (float) -1.1514610310E-1, (float) 1.1676998740E-1, (float) -1.2420140846E-1,
        (float) 1.4249322787E-1, (float) -1.6668057665E-1, (float) 2.0000714765E-1, (float) -2.4999993993E-1,
        (float) 3.3333331174E-1};
    private static final float LOG_Q1 = (float) -2.12194440e-4;
    private static final float LOG_Q2 = (float) 0.693359375;
    private static final float MINUS_DP1 = (float) -0.78515625;
    private static final float MINUS_DP2 = (float) -2.4187564849853515625e-4;
    private static final float MINUS_DP3 = (float) -3.77489497744594108e-8;
    private static final float SINCOF_P0 = (float) -1.9515295891E-4;
    private static final float SINCOF_P1 = (float) 8.3321608736E-3;
    private static final float SINCOF_P2 = (float) -1.6666654611E-1;
    private static final float COSCOF_P0 = (float) 2.443315711809948E-005;
    private static final float COSCOF_P1 = (float) -1.388731625493765E-003;
    private static final float COSCOF_P2 = (float) 4.166664568298827E-002;
    private static final float FOPI = (float) 1.27323954473516;

    private CephesFloat() {
    }

    /** a*b + c with one rounding, where the reference build contracted it. */
    private static float madd(float a, float b, float c) {
        return Math.fma(a, b, c);
    }

    /** Natural log; NaN for x ≤ 0, denormals treated as the smallest normal. */
    static float log(float x) {
        boolean invalid = x <= 0f;
        x = Math.max(x, Float.MIN_NORMAL);
        int bits = Float.floatToRawIntBits(x);
        float e = (float) ((bits >>> 23) - 0x7f) + 1f;
        x = Float.intBitsToFloat((bits & ~0x7f800000) | Float.floatToRawIntBits(0.5f));
        // Bring the mantissa to [sqrt(1/2), sqrt(2)) - 1.
        boolean low = x < SQRTHF;
        float tmp = low ? x : 0f;
        x = x - 1f;
        e = e - (low ? 1f : 0f);
        x = x + tmp;

        float z = x * x;
        float y = LOG_P[0];
        for (int i = 1; i < LOG_P.length; i++) {
            y = madd(y, x, LOG_P[i]);
        }
        y = y * x;
        y = madd(y, z, e * LOG_Q1);
        y = madd(-z, 0.5f, y);
        x = x + y;
        x = madd(e, LOG_Q2, x);
        return invalid ? Float.NaN : x;
    }

    /** sin and cos of x, written to {@code out[0]} and {@code out[1]}. */
    static void sincos(float x, float[] out) {
        int signSin = Float.floatToRawIntBits(x) & 0x80000000;
        x = Math.abs(x);
        int j = (int) (x * FOPI);               // truncation, like cvttps
        j = (j + 1) & ~1;
        float y = (float) j;
        int swapSin = (j & 4) << 29;
        boolean poly = (j & 2) == 0;            // true: sin uses the sine polynomial
        int signCos = (~(j - 2) & 4) << 29;
        signSin ^= swapSin;

        // Extended precision modular arithmetic: x = ((x - y*DP1) - y*DP2) - y*DP3.
        x = madd(y, MINUS_DP1, x);
        x = madd(y, MINUS_DP2, x);
        x = madd(y, MINUS_DP3, x);

        float z = x * x;
        float c = COSCOF_P0;
        c = madd(c, z, COSCOF_P1);
        c = madd(c, z, COSCOF_P2);
        c = c * z;
        c = madd(c, z, -(z * 0.5f));
        c = c + 1f;

        float s = SINCOF_P0;
        s = madd(s, z, SINCOF_P1);
        s = madd(s, z, SINCOF_P2);
        s = s * z;
        s = madd(s, x, x);

        // The kernel selects by masking and adding +0, which turns a -0 into +0: keep that.
        float sinPart = poly ? s + 0f : 0f + c;
        float cosPart = poly ? c + 0f : s + 0f;
        out[0] = Float.intBitsToFloat(Float.floatToRawIntBits(sinPart) ^ signSin);
        out[1] = Float.intBitsToFloat(Float.floatToRawIntBits(cosPart) ^ signCos);
    }
}
