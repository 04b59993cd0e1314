package ai.booth.contracts;

/**
 * Stop a running training; the trainer answers with {@link TrainingFailed} (code CANCELLED).
 *
 * @param trainingId  the job to stop
 * @param reason      why, for the record
 */
@Topic(Topics.TRAINING_CANCEL_REQUESTED)
public record TrainingCancelRequested(String trainingId, @Nullable String reason) implements Payload {
}
