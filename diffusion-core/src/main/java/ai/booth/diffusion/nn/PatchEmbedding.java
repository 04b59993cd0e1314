package ai.booth.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;

/**
 * A vision transformer's input: non-overlapping p×p patches projected to tokens (a convolution with kernel = stride =
 * p), a learned class token in front, learned position embeddings added. CLIP's vision tower and ViT (DINO) differ
 * only in key names and whether the projection has a bias, so they pass the tensors in.
 */
public final class PatchEmbedding {

    private final Conv2d projection;
    private final NDArray classToken;
    private final NDArray positions;
    private final int imageSize;
    private final long dim;

    /**
     * @param projection conv [dim, channels, p, p] with stride p
     * @param classToken [dim] (CLIP) or [1, 1, dim] (ViT)
     * @param positions  [(imageSize/p)² + 1, dim], optionally with a leading 1
     */
    public PatchEmbedding(Conv2d projection, NDArray classToken, NDArray positions, int imageSize, long dim) {
        this.projection = projection;
        this.classToken = classToken;
        this.positions = positions;
        this.imageSize = imageSize;
        this.dim = dim;
    }

    /** pixels [B, C, S, S] with S the configured image size → tokens [B, 1 + (S/p)², dim]. */
    public NDArray forward(NDArray pixels) {
        Shape s = pixels.getShape();
        // Position embeddings exist for the configured grid only (no interpolation, as transformers by default).
        if (s.dimension() != 4 || s.get(2) != imageSize || s.get(3) != imageSize) {
            throw new IllegalArgumentException("vision input must be [batch, channels, " + imageSize + ", "
                    + imageSize + "], got " + s);
        }
        try (Scope scope = Scope.of(pixels)) {
            long batch = s.get(0);
            NDArray grid = projection.forward(pixels);
            NDArray patches = grid.reshape(batch, dim, -1).swapAxes(1, 2);
            // Broadcast onto zeros made in the scope: no reshaped view of the weight lands in the model's manager.
            NDArray cls = Ops.add(scope.manager().zeros(new Shape(batch, 1, dim), patches.getDataType()),
                    classToken);
            NDArray tokens = NDArrays.concat(new NDList(cls, patches), 1);
            return scope.keep(Ops.add(tokens, positions));
        }
    }
}
