package ai.booth.diffusion.pipeline;

/**
 * PIL's {@code Image.resize(size, LANCZOS)} on 8-bit RGB, as diffusers resizes control images: separable, horizontal
 * pass then vertical, each output pixel a window of lanczos-3 weights (widened by the scale when shrinking, i.e.
 * antialiased) normalised to sum 1, applied in 22-bit fixed point with rounding, clamped to 0..255 after each pass.
 */
final class PilLanczos {

    private static final int PRECISION_BITS = 32 - 8 - 2;

    private PilLanczos() {
    }

    /** @param rgb packed 0xRRGGBB pixels, row-major */
    static int[] resize(int[] rgb, int width, int height, int outWidth, int outHeight) {
        int[] out = width == outWidth ? rgb : pass(rgb, width, height, outWidth, true);
        return height == outHeight ? out : pass(out, outWidth, height, outHeight, false);
    }

    /** One axis: along rows when {@code horizontal}, else along columns. */
    private static int[] pass(int[] in, int width, int height, int outSize, boolean horizontal) {
        int inSize = horizontal ? width : height;
        Coefficients c = new Coefficients(inSize, outSize);
        int outW = horizontal ? outSize : width;
        int outH = horizontal ? height : outSize;
        int[] out = new int[outW * outH];
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                int o = horizontal ? x : y;
                int min = c.min[o];
                int[] k = c.k[o];
                int r = 1 << (PRECISION_BITS - 1);
                int g = r;
                int b = r;
                for (int i = 0; i < k.length; i++) {
                    int p = horizontal ? in[y * width + min + i] : in[(min + i) * width + x];
                    r += ((p >> 16) & 0xFF) * k[i];
                    g += ((p >> 8) & 0xFF) * k[i];
                    b += (p & 0xFF) * k[i];
                }
                out[y * outW + x] = (clip8(r) << 16) | (clip8(g) << 8) | clip8(b);
            }
        }
        return out;
    }

    private static int clip8(int v) {
        return Math.max(0, Math.min(255, v >> PRECISION_BITS));
    }

    /** PIL's precompute_coeffs + normalize_coeffs_8bpc for the lanczos filter (support 3). */
    private static final class Coefficients {
        final int[] min;
        final int[][] k;

        Coefficients(int inSize, int outSize) {
            min = new int[outSize];
            k = new int[outSize][];
            double scale = (double) (float) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = 3.0 * filterScale;
            for (int xx = 0; xx < outSize; xx++) {
                double center = (xx + 0.5) * scale;
                int xmin = Math.max((int) (center - support + 0.5), 0);
                int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
                double[] w = new double[xmax];
                double sum = 0;
                for (int x = 0; x < xmax; x++) {
                    w[x] = lanczos((x + xmin - center + 0.5) * (1.0 / filterScale));
                    sum += w[x];
                }
                k[xx] = new int[xmax];
                for (int x = 0; x < xmax; x++) {
                    double v = sum != 0.0 ? w[x] / sum : w[x];
                    k[xx][x] = (int) (v < 0 ? -0.5 + v * (1 << PRECISION_BITS) : 0.5 + v * (1 << PRECISION_BITS));
                }
                min[xx] = xmin;
            }
        }

        private static double lanczos(double x) {
            return -3.0 <= x && x < 3.0 ? sinc(x) * sinc(x / 3) : 0.0;
        }

        private static double sinc(double x) {
            if (x == 0.0) {
                return 1.0;
            }
            x *= Math.PI;
            return Math.sin(x) / x;
        }
    }
}
