package ai.booth.diffusion.train;

import ai.djl.ndarray.NDArray;

import java.util.Collection;

/** Global-norm gradient clipping as {@code torch.nn.utils.clip_grad_norm_} (L2 over all gradients together). */
public final class GradientClipping {

    private GradientClipping() {
    }

    /**
     * Scales every gradient in place by {@code min(1, maxNorm / (total + 1e-6))}, where total is the L2 norm of the
     * per-tensor L2 norms, as torch does (it multiplies even when the factor is 1).
     *
     * @return the total norm before clipping
     */
    public static double clip(Collection<NDArray> gradients, double maxNorm) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("max_grad_norm must be positive, got " + maxNorm);
        }
        float total = totalNorm(gradients);
        float coefficient = Math.min((float) maxNorm / (total + 1e-6f), 1f);
        gradients.forEach(g -> g.muli(coefficient));
        return total;
    }

    /** The L2 norm of all gradients as one vector (float32, from per-tensor norms). */
    public static float totalNorm(Collection<NDArray> gradients) {
        double sumOfSquares = 0;
        for (NDArray g : gradients) {
            try (NDArray norm = g.norm()) {
                float n = norm.getFloat();
                sumOfSquares += (double) n * n;
            }
        }
        return (float) Math.sqrt(sumOfSquares);
    }
}
