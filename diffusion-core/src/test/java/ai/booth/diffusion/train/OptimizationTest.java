package ai.booth.diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Learning-rate schedules, clipping, AdamW and loss scaling against their closed forms. */
class OptimizationTest {

    @Test
    void schedulesFollowDiffusersFormulas() {
        double lr = 1e-4;
        LrSchedule constant = new LrSchedule("constant", 10, 100, Double.NaN, 1);
        assertEquals(lr, constant.lr(0, lr), 0, "constant ignores warmup");
        LrSchedule warmup = new LrSchedule("constant_with_warmup", 10, 100, Double.NaN, 1);
        assertEquals(0, warmup.lr(0, lr), 0, "diffusers' warmup starts at 0");
        assertEquals(lr * 0.5, warmup.lr(5, lr), 1e-18);
        assertEquals(lr, warmup.lr(10, lr), 0);
        assertEquals(lr, warmup.lr(99, lr), 0);
        LrSchedule linear = new LrSchedule("linear", 10, 100, Double.NaN, 1);
        assertEquals(lr, linear.lr(10, lr), 1e-18);
        assertEquals(lr * 45 / 90, linear.lr(55, lr), 1e-18);
        assertEquals(0, linear.lr(100, lr), 0);
        LrSchedule cosine = new LrSchedule("cosine", 10, 100, Double.NaN, 1);
        for (int s = 10; s <= 100; s += 15) {
            double progress = (s - 10) / 90.0;
            assertEquals(lr * 0.5 * (1 + Math.cos(Math.PI * progress)), cosine.lr(s, lr), 1e-18, "cosine at " + s);
        }
        assertEquals(0.5, cosine.cycles(), 0, "cosine defaults to half a wave");
        LrSchedule restarts = new LrSchedule("cosine_with_restarts", 0, 100, 2, 1);
        assertEquals(lr, restarts.lr(0, lr), 1e-18);
        assertEquals(lr, restarts.lr(50, lr), 1e-18, "restarts at half way with 2 cycles");
        assertEquals(lr * 0.5, restarts.lr(25, lr), 1e-18);
        assertEquals(0, restarts.lr(100, lr), 0);
        LrSchedule poly = new LrSchedule("polynomial", 0, 100, Double.NaN, 2);
        assertEquals((lr - 1e-7) * 0.25 + 1e-7, poly.lr(50, lr), 1e-18);
        assertEquals(1e-7, poly.lr(101, lr), 1e-18);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LrSchedule("exponential", 0, 10, Double.NaN, 1));
        assertTrue(e.getMessage().contains("cosine_with_restarts"), e.getMessage());
    }

    @Test
    void clippingScalesAllGradientsByOneGlobalNorm() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(new float[] {3, 0});
            NDArray b = m.create(new float[] {0, 4, 0});
            double total = GradientClipping.clip(List.of(a, b), 1.0);
            assertEquals(5.0, total, 1e-6);
            float c = 1f / (5f + 1e-6f);
            assertArrayEquals(new float[] {3 * c, 0}, a.toFloatArray(), 1e-7f);
            assertArrayEquals(new float[] {0, 4 * c, 0}, b.toFloatArray(), 1e-7f);
            NDArray small = m.create(new float[] {0.3f, 0.4f});
            GradientClipping.clip(List.of(small), 1.0);
            assertArrayEquals(new float[] {0.3f, 0.4f}, small.toFloatArray(), "a norm under the limit stays");
        }
    }

    @Test
    void adamWMatchesTheClosedFormOverSteps() {
        double lr = 1e-3;
        double b1 = 0.9;
        double b2 = 0.99;
        double eps = 1e-8;
        double wd = 0.1;
        float[][] grads = {{0.5f, -2f, 1e-3f}, {0.1f, -1f, -4e-3f}, {-0.3f, 0.5f, 2e-3f}};
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray p = m.create(new float[] {1f, -0.5f, 0.25f});
            try (AdamW adam = new AdamW(new AdamW.Settings(b1, b2, eps, wd), List.of(new AdamW.Group("g", lr,
                    Map.of("p", p))))) {
                double[] x = {1, -0.5, 0.25};
                double[] mom = new double[3];
                double[] vel = new double[3];
                for (int t = 1; t <= grads.length; t++) {
                    adam.step(new double[] {lr}, Map.of("p", m.create(grads[t - 1])));
                    for (int i = 0; i < 3; i++) {
                        double g = grads[t - 1][i];
                        x[i] *= 1 - lr * wd;
                        mom[i] = b1 * mom[i] + (1 - b1) * g;
                        vel[i] = b2 * vel[i] + (1 - b2) * g * g;
                        double mHat = mom[i] / (1 - Math.pow(b1, t));
                        double vHat = vel[i] / (1 - Math.pow(b2, t));
                        x[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
                    }
                    float[] actual = p.toFloatArray();
                    for (int i = 0; i < 3; i++) {
                        assertEquals(x[i], actual[i], 1e-6, "step " + t + " element " + i);
                    }
                }
                assertEquals(3, adam.steps());
                NDArray savedM = adam.state().get("exp_avg.p").duplicate();
                assertEquals((float) ((1 - b1) * (b1 * (b1 * 0.5 + 0.1) - 0.3) + 0),
                        savedM.toFloatArray()[0], 1e-6f, "first moment");
            }
        }
    }

    @Test
    void lossScalerSkipsOverflowAndBacksOff() {
        try (NDManager m = NDManager.newBaseManager()) {
            LossScaler scaler = LossScaler.dynamic();
            float scale = scaler.scale();
            NDArray g = m.create(new float[] {scale * 2, -scale});
            assertTrue(scaler.unscale(List.of(g)));
            assertArrayEquals(new float[] {2, -1}, g.toFloatArray());
            assertTrue(!scaler.unscale(List.of(m.create(new float[] {Float.POSITIVE_INFINITY, 0}))));
            assertEquals(scale / 2, scaler.scale());
            assertFalse(scaler.unscale(List.of(m.create(new float[] {Float.NaN}))));
            LossScaler off = LossScaler.disabled();
            NDArray h = m.create(new float[] {3});
            assertTrue(off.unscale(List.of(h)));
            assertEquals(1f, off.scale());
            assertArrayEquals(new float[] {3}, h.toFloatArray());
        }
    }
}
