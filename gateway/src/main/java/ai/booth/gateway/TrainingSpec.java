package ai.booth.gateway;

import ai.booth.contracts.TrainingRequested;

import java.util.List;

import static ai.booth.gateway.Defaults.or;
import static ai.booth.gateway.Defaults.required;

/**
 * The body of {@code POST /api/v1/trainings}: what {@link TrainingRequested} needs, with DreamBooth LoRA defaults
 * (diffusers' train_dreambooth_lora) for everything but the base model, dataset, token and class noun.
 */
public record TrainingSpec(String baseModel, String datasetId, String instanceToken, String classNoun,
                           String instancePrompt, String classPrompt, Boolean priorPreservation,
                           Double priorLossWeight, Integer classImageCount, Integer resolution,
                           Integer maxTrainSteps, Integer batchSize, Integer rank, Double alpha,
                           Double unetLearningRate, Double textEncoderLearningRate, String lrScheduler,
                           Integer lrWarmupSteps, Long seed, Integer checkpointInterval, Integer validationInterval,
                           List<String> validationPrompts) {

    TrainingRequested toRequest(String trainingId) {
        String token = required(instanceToken, "instanceToken");
        String noun = required(classNoun, "classNoun");
        int r = or(rank, 4);
        return new TrainingRequested(trainingId, required(baseModel, "baseModel"), required(datasetId, "datasetId"),
                token, noun, or(instancePrompt, "a photo of " + token + " " + noun), or(classPrompt, "a photo of "
                + noun), or(priorPreservation, true), or(priorLossWeight, 1.0), or(classImageCount, 100),
                or(resolution, 512), or(maxTrainSteps, 500), or(batchSize, 1), r, or(alpha, (double) r),
                or(unetLearningRate, 1e-4), or(textEncoderLearningRate, 0.0), or(lrScheduler, "constant"),
                or(lrWarmupSteps, 0), or(seed, 0L), or(checkpointInterval, 0), or(validationInterval, 0),
                or(validationPrompts, List.of()));
    }
}
