package ai.booth.contracts;

import java.util.List;

/**
 * A training finished; its adapter can be referenced from {@link GenerationRequested#loras()}.
 *
 * @param trainingId           the job
 * @param adapterKey           the LoRA adapter (safetensors), key in {@link Buckets#ADAPTERS}
 * @param steps                optimizer steps done
 * @param finalLoss            smoothed loss at the end
 * @param durationMillis       wall time of the training
 * @param checkpointKeys       checkpoints kept, keys in {@link Buckets#CHECKPOINTS}
 * @param validationImageKeys  validation images, keys in {@link Buckets#CHECKPOINTS}
 */
@Topic(Topics.TRAINING_COMPLETED)
public record TrainingCompleted(String trainingId, String adapterKey, int steps, double finalLoss,
                                long durationMillis, List<String> checkpointKeys, List<String> validationImageKeys)
        implements Payload {
}
