package ai.booth.diffusion.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.List;

/**
 * Noise for a batch of images that each have their own generator: row i of every draw comes from generator i, so a
 * stacked batch draws exactly what its images would draw one after another.
 */
public final class StackedNoise implements NoiseSource {

    private final List<? extends NoiseSource> rows;

    public StackedNoise(List<? extends NoiseSource> rows) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("stacked noise needs at least one generator");
        }
        this.rows = List.copyOf(rows);
    }

    @Override
    public NDArray randn(NDManager manager, Shape shape) {
        if (shape.get(0) != rows.size()) {
            throw new IllegalArgumentException("a draw of shape " + shape + " for " + rows.size() + " generators");
        }
        if (rows.size() == 1) {
            return rows.get(0).randn(manager, shape);
        }
        Shape row = new Shape(1).addAll(shape.slice(1));
        try (NDManager scratch = manager.newSubManager()) {
            NDList parts = new NDList();
            rows.forEach(g -> parts.add(g.randn(scratch, row)));
            NDArray stacked = NDArrays.concat(parts);
            stacked.attach(manager);
            return stacked;
        }
    }
}
