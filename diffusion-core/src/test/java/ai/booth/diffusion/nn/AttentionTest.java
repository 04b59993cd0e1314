package ai.booth.diffusion.nn;

import ai.booth.diffusion.testing.Reference;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class AttentionTest {

    private static final Reference.Tolerance TIGHT = new Reference.Tolerance(1e-5, 1e-6);

    @Test
    void slicingOverHeadsAndQueryRowsGivesTheSameResult() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray q = m.randomNormal(new Shape(2, 3, 37, 8));
            NDArray k = m.randomNormal(new Shape(2, 3, 29, 8));
            NDArray v = m.randomNormal(new Shape(2, 3, 29, 5));
            NDArray whole = Attention.scaledDotProduct(q, k, v, null, 0.3f);
            // a few heads per slice, then single heads with query rows in chunks
            Reference.assertClose("head slices", Attention.scaledDotProduct(q, k, v, null, 0.3f, 3 * 37 * 29), whole, TIGHT);
            Reference.assertClose("row chunks", Attention.scaledDotProduct(q, k, v, null, 0.3f, 10 * 29), whole, TIGHT);
            Reference.assertClose("explicit softmax", whole,
                    q.mul(0.3f).matMul(k.swapAxes(2, 3)).softmax(-1).matMul(v), TIGHT);
        }
    }

    @Test
    void maskIsAppliedPerQueryRowWhenChunked() {
        try (NDManager m = NDManager.newBaseManager()) {
            int n = 23;
            NDArray q = m.randomNormal(new Shape(1, 2, n, 4));
            NDArray mask = m.ones(new Shape(n, n)).mul(-1e9f).mul(m.arange(n).reshape(1, n)
                    .gt(m.arange(n).reshape(n, 1)));  // causal: -1e9 above the diagonal
            NDArray whole = Attention.scaledDotProduct(q, q, q, mask, 0.5f);
            Reference.assertClose("causal, chunked", Attention.scaledDotProduct(q, q, q, mask, 0.5f, 5 * n), whole, TIGHT);
            // first query attends only to the first key: output row 0 equals v row 0
            Reference.assertClose("row 0", whole.get(":, :, 0, :"), q.get(":, :, 0, :"), TIGHT);
        }
    }
}
