package ai.booth.trainer;

import ai.booth.contracts.TrainingRequested;

import java.util.ArrayList;
import java.util.List;

/** Field rules of a training request that need no lookups; each problem names the field and its value. */
final class TrainingRequestCheck {

    static List<String> problems(TrainingRequested r) {
        List<String> problems = new ArrayList<>();
        if (r.mode() != null && !TrainingRequested.MODES.contains(r.mode())) {
            problems.add("mode must be one of " + TrainingRequested.MODES + ", got '" + r.mode() + "'");
        }
        positive(problems, "maxTrainSteps", r.maxTrainSteps());
        positive(problems, "batchSize", r.batchSize());
        positive(problems, "rank", r.rank());
        if (r.resolution() < 64 || r.resolution() % 8 != 0) {
            problems.add("resolution must be a multiple of 8 and at least 64, got " + r.resolution());
        }
        if (!(r.alpha() > 0)) {
            problems.add("alpha must be > 0, got " + r.alpha());
        }
        if (!(r.unetLearningRate() > 0)) {
            problems.add("unetLearningRate must be > 0, got " + r.unetLearningRate());
        }
        if (!(r.textEncoderLearningRate() >= 0)) {
            problems.add("textEncoderLearningRate must be >= 0 (0 = frozen), got " + r.textEncoderLearningRate());
        }
        if (r.priorPreservation() && (r.classImageCount() <= 0 || !(r.priorLossWeight() > 0))) {
            problems.add("prior preservation needs classImageCount > 0 and priorLossWeight > 0, got "
                    + r.classImageCount() + " and " + r.priorLossWeight());
        }
        if (!r.instancePrompt().contains(r.instanceToken())) {
            problems.add("instancePrompt '" + r.instancePrompt() + "' must contain instanceToken '"
                    + r.instanceToken() + "'");
        }
        if (r.lrWarmupSteps() < 0 || r.checkpointInterval() < 0 || r.validationInterval() < 0) {
            problems.add("lrWarmupSteps, checkpointInterval and validationInterval must be >= 0");
        }
        return problems;
    }

    private static void positive(List<String> problems, String field, int value) {
        if (value <= 0) {
            problems.add(field + " must be > 0, got " + value);
        }
    }

    private TrainingRequestCheck() {
    }
}
