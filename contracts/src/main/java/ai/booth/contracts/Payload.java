package ai.booth.contracts;

/**
 * The content of an {@link Event}. Each permitted type is a record published on the topic named by its
 * {@link Topic} annotation and described in {@code asyncapi.yaml}; adding one here is adding it to the public API.
 */
public sealed interface Payload permits DatasetIngested, DatasetReady, DatasetRejected, DatasetReprocessRequested,
        TrainingRequested, TrainingCancelRequested, TrainingProgress, TrainingCompleted, TrainingFailed,
        GenerationRequested, GenerationCompleted, GenerationFailed, EvaluationRequested, EvaluationCompleted,
        EvaluationFailed, ExperimentRequested {
}
