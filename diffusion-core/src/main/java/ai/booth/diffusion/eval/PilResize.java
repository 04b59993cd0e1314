package ai.booth.diffusion.eval;

import java.util.function.DoubleUnaryOperator;

/**
 * PIL's {@code Image.resize} for 8-bit RGB (libImaging/Resample.c), which transformers' image processors call: a
 * separable convolution, horizontal pass first, each output pixel a filter-weighted sum of the input pixels under
 * it. When shrinking the filter is widened by the scale (antialiasing). Weights are normalised per output pixel,
 * then rounded to 22-bit fixed point; sums start at one half and are truncated and clipped to 0..255 after each
 * pass, as PIL does, so results are PIL's to the last bit.
 */
public final class PilResize {

    private static final int PRECISION_BITS = 32 - 8 - 2;

    /** PIL's resampling filters by {@code Image.Resampling} number (the {@code resample} of processor configs). */
    public enum Filter {
        LANCZOS(1, 3.0, x -> -3.0 <= x && x < 3.0 ? sinc(x) * sinc(x / 3) : 0.0),
        BILINEAR(2, 1.0, x -> Math.abs(x) < 1.0 ? 1.0 - Math.abs(x) : 0.0),
        BICUBIC(3, 2.0, PilResize::bicubic),
        BOX(4, 0.5, x -> x > -0.5 && x <= 0.5 ? 1.0 : 0.0),
        HAMMING(5, 1.0, PilResize::hamming);

        final int pil;
        final double support;
        final DoubleUnaryOperator kernel;

        Filter(int pil, double support, DoubleUnaryOperator kernel) {
            this.pil = pil;
            this.support = support;
            this.kernel = kernel;
        }

        public static Filter ofPil(int resample) {
            for (Filter f : values()) {
                if (f.pil == resample) {
                    return f;
                }
            }
            throw new IllegalArgumentException("resample " + resample + " is not supported (PIL filters 1 LANCZOS, "
                    + "2 BILINEAR, 3 BICUBIC, 4 BOX, 5 HAMMING; 0 NEAREST is not implemented)");
        }
    }

    private PilResize() {
    }

    public static RgbImage resize(RgbImage in, int width, int height, Filter filter) {
        RgbImage out = in;
        if (width != out.width()) {
            out = pass(out, width, filter, true);
        }
        if (height != out.height()) {
            out = pass(out, height, filter, false);
        }
        return out;
    }

    /** One separable pass along x ({@code horizontal}) or y to {@code size} samples. */
    private static RgbImage pass(RgbImage in, int size, Filter filter, boolean horizontal) {
        int inSize = horizontal ? in.width() : in.height();
        int w = horizontal ? size : in.width();
        int h = horizontal ? in.height() : size;
        double scale = (double) inSize / size;
        double filterScale = Math.max(scale, 1.0);
        double support = filter.support * filterScale;
        byte[] out = new byte[3 * w * h];
        for (int o = 0; o < size; o++) {
            double center = (o + 0.5) * scale;
            int min = Math.max(0, (int) (center - support + 0.5));
            int count = Math.min(inSize, (int) (center + support + 0.5)) - min;
            int[] k = weights(filter, min, count, center, filterScale);
            int lines = horizontal ? h : w;
            for (int line = 0; line < lines; line++) {
                for (int c = 0; c < 3; c++) {
                    int sum = 1 << (PRECISION_BITS - 1);
                    for (int i = 0; i < count; i++) {
                        sum += (horizontal ? in.at(min + i, line, c) : in.at(line, min + i, c)) * k[i];
                    }
                    int x = horizontal ? o : line;
                    int y = horizontal ? line : o;
                    out[(y * w + x) * 3 + c] = (byte) Math.max(0, Math.min(255, sum >> PRECISION_BITS));
                }
            }
        }
        return new RgbImage(w, h, out);
    }

    /** The normalised filter taps for one output sample, in PIL's fixed point (rounded half away from zero). */
    private static int[] weights(Filter filter, int min, int count, double center, double filterScale) {
        double[] w = new double[count];
        double total = 0;
        double ss = 1.0 / filterScale; // a reciprocal times, not a division: the same doubles as PIL
        for (int i = 0; i < count; i++) {
            w[i] = filter.kernel.applyAsDouble((i + min - center + 0.5) * ss);
            total += w[i];
        }
        int[] k = new int[count];
        for (int i = 0; i < count; i++) {
            double v = total != 0.0 ? w[i] / total : w[i];
            k[i] = (int) (v < 0 ? -0.5 + v * (1 << PRECISION_BITS) : 0.5 + v * (1 << PRECISION_BITS));
        }
        return k;
    }

    private static double bicubic(double x) {
        final double a = -0.5;
        x = Math.abs(x);
        if (x < 1.0) {
            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        }
        return x < 2.0 ? (((x - 5) * x + 8) * x - 4) * a : 0.0;
    }

    private static double hamming(double x) {
        x = Math.abs(x);
        if (x == 0.0) {
            return 1.0;
        }
        if (x >= 1.0) {
            return 0.0;
        }
        x *= Math.PI;
        return Math.sin(x) / x * (0.54f + 0.46f * Math.cos(x));
    }

    private static double sinc(double x) {
        if (x == 0.0) {
            return 1.0;
        }
        x *= Math.PI;
        return Math.sin(x) / x;
    }
}
