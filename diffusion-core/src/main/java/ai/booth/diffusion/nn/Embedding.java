package ai.booth.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.SparseFormat;

/** torch.nn.Embedding: rows of weight [num, dim] picked by integer ids. */
public final class Embedding {

    private final NDArray weight;

    public Embedding(StateDict w, long num, long dim) {
        this.weight = w.take("weight", num, dim);
    }

    public NDArray forward(NDArray ids) {
        return ids.getNDArrayInternal().embedding(ids, weight, SparseFormat.DENSE).singletonOrThrow();
    }

    public NDArray weight() {
        return weight;
    }
}
