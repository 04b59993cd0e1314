package ai.booth.diffusion.vae;

import ai.booth.diffusion.runtime.NoiseSource;
import ai.djl.ndarray.NDArray;

/** The VAE posterior N(mean, exp(logvar)) per latent element; logvar is clamped to [−30, 20] as in diffusers. */
public record DiagonalGaussian(NDArray mean, NDArray logvar) {

    public NDArray std() {
        return logvar.mul(0.5f).exp();
    }

    /** mean + std · ε with ε from {@code noise} (drawn on the mean's manager, cast to its dtype). */
    public NDArray sample(NoiseSource noise) {
        NDArray eps = noise.randn(mean.getManager(), mean.getShape()).toType(mean.getDataType(), false);
        return mean.add(std().mul(eps));
    }

    /** The most likely latents (the mean), what img2img and training with "mode" use. */
    public NDArray mode() {
        return mean;
    }
}
