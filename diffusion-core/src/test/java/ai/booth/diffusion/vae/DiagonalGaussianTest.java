package ai.booth.diffusion.vae;

import ai.booth.diffusion.runtime.NoiseSource;
import ai.booth.diffusion.testing.Reference;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DiagonalGaussianTest {

    private static final Reference.Tolerance EXACT = new Reference.Tolerance(0, 1e-7);

    @Test
    void sampleIsMeanPlusStdTimesTheDrawnNoise() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray mean = m.randomNormal(new Shape(1, 4, 3, 3));
            NDArray logvar = m.randomNormal(new Shape(1, 4, 3, 3));
            DiagonalGaussian p = new DiagonalGaussian(mean, logvar);
            NDArray noise = m.randomNormal(new Shape(1, 4, 3, 3));
            NoiseSource fixed = (manager, shape) -> {
                assertEquals(mean.getShape(), shape);
                return noise.duplicate();
            };
            Reference.assertClose("sample", p.sample(fixed), mean.add(logvar.mul(0.5f).exp().mul(noise)), EXACT);
            Reference.assertClose("zero noise", p.sample((manager, shape) -> manager.zeros(shape)), mean, EXACT);
            Reference.assertClose("mode", p.mode(), mean, EXACT);
        }
    }
}
