package ai.booth.contracts;

/**
 * A training stopped without an adapter.
 *
 * @param trainingId  the job
 * @param code        machine-readable cause, e.g. INVALID_REQUEST, DATASET_NOT_READY, CANCELLED, S3_UNAVAILABLE, INTERNAL
 * @param message     human-readable cause
 * @param step        the step it stopped at, if it had started
 */
@Topic(Topics.TRAINING_FAILED)
public record TrainingFailed(String trainingId, String code, String message, @Nullable Integer step)
        implements Payload {
}
