package ai.booth.diffusion.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** A source of standard normal noise, so samplers and the VAE posterior draw reproducibly from a seed. */
public interface NoiseSource {
    NDArray randn(NDManager manager, Shape shape);
}
