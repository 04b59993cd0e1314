package ai.booth.trainer;

import ai.booth.contracts.TrainingRequested;
import ai.booth.contracts.rules.TrainingRules;

import java.util.ArrayList;
import java.util.List;

/**
 * Field rules of a training request that need no lookups, with the gateway's bounds ({@link TrainingRules}), so a
 * request published by another producer is held to the same limits; each problem names the field and its value.
 */
final class TrainingRequestCheck {

    static List<String> problems(TrainingRequested r) {
        List<String> problems = new ArrayList<>();
        if (r.mode() != null && !TrainingRequested.MODES.contains(r.mode())) {
            problems.add("mode must be one of " + TrainingRequested.MODES + ", got '" + r.mode() + "'");
        }
        TrainingRules.MAX_TRAIN_STEPS.problem("maxTrainSteps", r.maxTrainSteps()).ifPresent(problems::add);
        TrainingRules.BATCH_SIZE.problem("batchSize", r.batchSize()).ifPresent(problems::add);
        TrainingRules.RANK.problem("rank", r.rank()).ifPresent(problems::add);
        if (!TrainingRules.validResolution(r.resolution())) {
            problems.add("resolution must be a multiple of 8 in [" + TrainingRules.RESOLUTION.minInt() + ", "
                    + TrainingRules.RESOLUTION.maxInt() + "], got " + r.resolution());
        }
        if (!(r.alpha() > 0 && r.alpha() <= TrainingRules.MAX_ALPHA)) {
            problems.add("alpha must be in (0, " + TrainingRules.MAX_ALPHA + "], got " + r.alpha());
        }
        if (!(r.unetLearningRate() > 0 && r.unetLearningRate() <= TrainingRules.MAX_UNET_LEARNING_RATE)) {
            problems.add("unetLearningRate must be in (0, " + TrainingRules.MAX_UNET_LEARNING_RATE + "], got "
                    + r.unetLearningRate());
        }
        if (!TrainingRules.TEXT_ENCODER_LEARNING_RATE.contains(r.textEncoderLearningRate())) {
            problems.add("textEncoderLearningRate must be in [0, " + TrainingRules.TEXT_ENCODER_LEARNING_RATE.max()
                    + "] (0 = frozen), got " + r.textEncoderLearningRate());
        }
        if (r.priorPreservation() && (r.classImageCount() <= 0 || !(r.priorLossWeight() > 0))) {
            problems.add("prior preservation needs classImageCount > 0 and priorLossWeight > 0, got "
                    + r.classImageCount() + " and " + r.priorLossWeight());
        }
        if (!r.instancePrompt().contains(r.instanceToken())) {
            problems.add("instancePrompt '" + r.instancePrompt() + "' must contain instanceToken '"
                    + r.instanceToken() + "'");
        }
        if (r.newTokens().size() > TrainingRules.MAX_NEW_TOKENS) {
            problems.add("newTokens must be at most " + TrainingRules.MAX_NEW_TOKENS + ", got " + r.newTokens());
        }
        r.newTokens().stream().filter(t -> !r.instancePrompt().contains(t)).findFirst().ifPresent(t -> problems.add(
                "instancePrompt '" + r.instancePrompt() + "' must contain every new token, not '" + t + "'"));
        if (r.lrEmbeddings() != null && !(r.lrEmbeddings() > 0
                && r.lrEmbeddings() <= TrainingRules.MAX_EMBEDDING_LEARNING_RATE)) {
            problems.add("lrEmbeddings must be in (0, " + TrainingRules.MAX_EMBEDDING_LEARNING_RATE + "], got "
                    + r.lrEmbeddings());
        }
        TrainingRules.NOISE_OFFSET.problem("noiseOffset", r.noiseOffset()).ifPresent(problems::add);
        TrainingRules.SNR_GAMMA.problem("snrGamma", r.snrGamma()).ifPresent(problems::add);
        if (Boolean.TRUE.equals(r.evaluate()) && !r.validates()) {
            problems.add(TrainingRules.EVALUATE_NEEDS_VALIDATION);
        }
        TrainingRules.selectByProblem(r).ifPresent(problem -> problems.add("selectBy " + problem));
        if (r.lrWarmupSteps() < 0 || r.checkpointInterval() < 0 || r.validationInterval() < 0) {
            problems.add("lrWarmupSteps, checkpointInterval and validationInterval must be >= 0");
        }
        return problems;
    }

    private TrainingRequestCheck() {
    }
}
