package ai.booth.contracts;

import java.util.List;

/**
 * A training finished; its adapter can be referenced from {@link GenerationRequested#loras()}, a full fine-tune's
 * model from {@link GenerationRequested#baseModel()}.
 *
 * @param trainingId           the job
 * @param adapterKey           the LoRA adapter (safetensors), key in {@link Buckets#ADAPTERS}; for a full fine-tune the
 *                             model as one A1111 / civitai checkpoint (safetensors) there; for textual inversion the
 *                             embedding file
 * @param steps                optimizer steps done
 * @param finalLoss            smoothed loss at the end
 * @param durationMillis       wall time of the training
 * @param checkpointKeys       checkpoints kept, keys in {@link Buckets#CHECKPOINTS}
 * @param validationImageKeys  validation images, keys in {@link Buckets#CHECKPOINTS}
 * @param modelId              a full fine-tune's model, installed in {@link Buckets#MODELS} under this id; null for
 *                             an adapter
 * @param embeddingKey         the new tokens' embeddings as one A1111 file (its metadata names the tokens), key in
 *                             {@link Buckets#ADAPTERS}, for {@link GenerationRequested#embeddings()}; null without new
 *                             tokens. A pivotal LoRA names it in its metadata, so generations with the LoRA load it
 * @param scores               the kept adapter's scores (a training that evaluates: the last step's, or with
 *                             {@link TrainingRequested#selectBy()} the best step's, whose adapter is the one stored);
 *                             the scorecard of every scored step is {@code scores.json} beside it; null otherwise
 */
@Topic(Topics.TRAINING_COMPLETED)
public record TrainingCompleted(String trainingId, String adapterKey, int steps, double finalLoss,
                                long durationMillis, List<String> checkpointKeys, List<String> validationImageKeys,
                                @Nullable String modelId, @Nullable String embeddingKey,
                                @Nullable EvalScores scores) implements Payload {

    /** A training without evaluation finished (the contract before {@code scores} existed). */
    public TrainingCompleted(String trainingId, String adapterKey, int steps, double finalLoss, long durationMillis,
                             List<String> checkpointKeys, List<String> validationImageKeys, String modelId,
                             String embeddingKey) {
        this(trainingId, adapterKey, steps, finalLoss, durationMillis, checkpointKeys, validationImageKeys, modelId,
                embeddingKey, null);
    }

    /** A training without new tokens finished (the contract before {@code embeddingKey} existed). */
    public TrainingCompleted(String trainingId, String adapterKey, int steps, double finalLoss, long durationMillis,
                             List<String> checkpointKeys, List<String> validationImageKeys, String modelId) {
        this(trainingId, adapterKey, steps, finalLoss, durationMillis, checkpointKeys, validationImageKeys, modelId,
                null, null);
    }

    /** An adapter's training finished. */
    public TrainingCompleted(String trainingId, String adapterKey, int steps, double finalLoss, long durationMillis,
                             List<String> checkpointKeys, List<String> validationImageKeys) {
        this(trainingId, adapterKey, steps, finalLoss, durationMillis, checkpointKeys, validationImageKeys, null, null,
                null);
    }
}
