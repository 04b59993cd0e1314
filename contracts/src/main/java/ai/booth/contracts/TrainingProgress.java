package ai.booth.contracts;

import java.util.List;

/**
 * Periodic report of a running training.
 *
 * @param trainingId           the job
 * @param step                 optimizer steps done
 * @param totalSteps           optimizer steps planned
 * @param loss                 smoothed training loss
 * @param learningRate         current UNet learning rate
 * @param itPerSecond          recent optimizer steps per second
 * @param etaSeconds           estimated seconds to completion
 * @param validationImageKeys  validation images rendered at this step, keys in {@link Buckets#CHECKPOINTS}
 * @param checkpointKey        checkpoint saved at this step, key in {@link Buckets#CHECKPOINTS}
 * @param scores               this step's validation images scored (a training that evaluates); null otherwise
 */
@Topic(Topics.TRAINING_PROGRESS)
public record TrainingProgress(String trainingId, int step, int totalSteps, double loss, double learningRate,
                               double itPerSecond, long etaSeconds, List<String> validationImageKeys,
                               @Nullable String checkpointKey, @Nullable EvalScores scores) implements Payload {

    /** A report without scores (the contract before {@code scores} existed). */
    public TrainingProgress(String trainingId, int step, int totalSteps, double loss, double learningRate,
                            double itPerSecond, long etaSeconds, List<String> validationImageKeys,
                            String checkpointKey) {
        this(trainingId, step, totalSteps, loss, learningRate, itPerSecond, etaSeconds, validationImageKeys,
                checkpointKey, null);
    }
}
