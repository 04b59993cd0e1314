package ai.booth.diffusion.train;

import ai.djl.ndarray.NDArray;

import java.util.List;

/**
 * One micro-batch: scaled latents with the instance examples first and the class examples after them, the noise
 * and integer timesteps drawn for them, and each example's prompt.
 */
public record TrainingBatch(NDArray latents, NDArray noise, NDArray timesteps, List<String> prompts,
                            int instanceCount) {

    public TrainingBatch {
        prompts = List.copyOf(prompts);
        long b = latents.getShape().get(0);
        if (noise.getShape().get(0) != b || timesteps.size() != b || prompts.size() != b) {
            throw new IllegalArgumentException("batch of " + b + " latents has " + noise.getShape().get(0)
                    + " noise rows, " + timesteps.size() + " timesteps and " + prompts.size() + " prompts");
        }
    }
}
