package ai.booth.diffusion.nn;

import ai.booth.diffusion.runtime.NoGrad;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Convolution gradients against a plain-Java reference. libtorch 2.7.1's own CPU convolution backward returned wrong
 * input gradients on AVX-512 machines (a new value on every run; with one thread a repeatable wrong one), which made
 * every LoRA gradient of the UNet NaN or wrong; the forward was right. {@link Conv2d} therefore convolves as
 * patches × weight under autograd. This test pins that: gradients equal the textbook sums and are bit-identical over
 * repeated backward passes, and the autograd path's forward equals libtorch's convolution.
 */
class ConvolutionGradientTest {

    private static final int REPEATS = 20;

    @ParameterizedTest(name = "batch {0}, {1}→{2} channels, {3}×{3} input, kernel {4}, stride {5}, padding {6}")
    @CsvSource({
        "2, 8, 8, 4, 3, 1, 1",
        "3, 8, 4, 5, 3, 1, 1",
        "2, 6, 8, 8, 3, 2, 1",
        "2, 8, 8, 4, 1, 1, 0",
        "1, 4, 6, 6, 3, 1, 0",
    })
    void inputAndWeightGradientsEqualTheReferenceSumsOnEveryRun(int n, int c, int o, int size, int k, int stride,
                                                                 int pad) {
        try (NDManager m = NDManager.newBaseManager()) {
            m.getEngine().setRandomSeed(11);
            NDArray x = m.randomNormal(new Shape(n, c, size, size));
            NDArray w = m.randomNormal(new Shape(o, c, k, k)).mul(0.3f);
            NDArray b = m.randomNormal(new Shape(o));
            int out = (size + 2 * pad - k) / stride + 1;
            NDArray r = m.randomNormal(new Shape(n, o, out, out));
            Conv conv = new Conv(n, c, o, size, k, stride, pad, out);
            float[][] expected = conv.gradients(x.toFloatArray(), w.toFloatArray(), r.toFloatArray());

            float[][] first = null;
            for (int run = 0; run < REPEATS; run++) {
                float[][] g = autograd(m, x, w, b, r, stride, pad);
                if (first == null) {
                    first = g;
                    assertClose("input gradient", expected[0], g[0]);
                    assertClose("weight gradient", expected[1], g[1]);
                } else {
                    assertArrayEquals(first[0], g[0], "input gradient of run " + run + " differs from run 0");
                    assertArrayEquals(first[1], g[1], "weight gradient of run " + run + " differs from run 0");
                }
            }

            NDArray nativeOut;
            try (NoGrad ignored = NoGrad.enter()) {
                nativeOut = Conv2d.conv(x, w, b, new Shape(stride, stride), new Shape(pad, pad));
            }
            NDArray patchOut = Conv2d.patchConv(x, w, b, stride, pad);
            assertEquals(nativeOut.getShape(), patchOut.getShape());
            assertClose("forward", nativeOut.toFloatArray(), patchOut.toFloatArray());
        }
    }

    private static float[][] autograd(NDManager parent, NDArray x0, NDArray w0, NDArray b, NDArray r, int stride,
                                      int pad) {
        try (NDManager m = parent.newSubManager()) {
            NDArray x = x0.duplicate();
            NDArray w = w0.duplicate();
            x.attach(m);
            w.attach(m);
            x.setRequiresGradient(true);
            w.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray y = Conv2d.conv(x, w, b, new Shape(stride, stride), new Shape(pad, pad));
                collector.backward(y.mul(r).sum());
            }
            return new float[][] {x.getGradient().toFloatArray(), w.getGradient().toFloatArray()};
        }
    }

    private static void assertClose(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what + " size");
        for (int i = 0; i < expected.length; i++) {
            float tol = 1e-4f + 1e-4f * Math.abs(expected[i]);
            int at = i;
            assertTrue(Math.abs(expected[i] - actual[i]) <= tol,
                    () -> what + " at " + at + ": expected " + expected[at] + " but was " + actual[at]);
        }
    }

    /** The textbook sums for y[n,o,i,j] = b[o] + Σ x[n,c,i·s+ki−p, j·s+kj−p]·w[o,c,ki,kj], in double precision. */
    private record Conv(int n, int c, int o, int size, int k, int stride, int pad, int out) {
        float[][] gradients(float[] x, float[] w, float[] r) {
            double[] gx = new double[x.length];
            double[] gw = new double[w.length];
            for (int bn = 0; bn < n; bn++) {
                for (int oc = 0; oc < o; oc++) {
                    for (int i = 0; i < out; i++) {
                        for (int j = 0; j < out; j++) {
                            double g = r[((bn * o + oc) * out + i) * out + j];
                            for (int ic = 0; ic < c; ic++) {
                                for (int ki = 0; ki < k; ki++) {
                                    for (int kj = 0; kj < k; kj++) {
                                        int yi = i * stride + ki - pad;
                                        int xj = j * stride + kj - pad;
                                        if (yi < 0 || yi >= size || xj < 0 || xj >= size) {
                                            continue;
                                        }
                                        int xi = ((bn * c + ic) * size + yi) * size + xj;
                                        int wi = ((oc * c + ic) * k + ki) * k + kj;
                                        gx[xi] += g * w[wi];
                                        gw[wi] += g * x[xi];
                                    }
                                }
                            }
                        }
                    }
                }
            }
            return new float[][] {toFloat(gx), toFloat(gw)};
        }

        private static float[] toFloat(double[] d) {
            float[] f = new float[d.length];
            for (int i = 0; i < d.length; i++) {
                f[i] = (float) d[i];
            }
            return f;
        }
    }
}
