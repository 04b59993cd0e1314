package ai.booth.diffusion.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** A source of standard-normal float32 noise: initial latents, ancestral sampler noise, VAE posterior samples. */
public interface NoiseSource {

    /** A new float32 tensor of {@code shape} with independent N(0, 1) entries, attached to {@code manager}. */
    NDArray randn(NDManager manager, Shape shape);
}
