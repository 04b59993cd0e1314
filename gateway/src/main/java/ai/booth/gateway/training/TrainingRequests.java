package ai.booth.gateway.training;

import ai.booth.diffusion.loader.EncoderCheck;
import ai.booth.gateway.dataset.DatasetRegistry;
import ai.booth.gateway.dataset.DatasetView;
import ai.booth.gateway.http.Checks;
import ai.booth.gateway.job.CallbackPolicy;
import ai.booth.gateway.model.BaseModel;
import ai.booth.gateway.model.BaseModels;
import ai.booth.gateway.model.PromptLength;
import ai.booth.contracts.DatasetSettings;
import ai.booth.contracts.TrainingRequested;
import ai.booth.diffusion.train.LrSchedule;
import ai.booth.diffusion.train.TrainingConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import static ai.booth.contracts.rules.TrainingRules.*;
import static ai.booth.gateway.http.Checks.or;

/** Checks a {@link TrainingSpec} field by field and turns it into a {@link TrainingRequested} with defaults. */
@ApplicationScoped
public class TrainingRequests {

    private static final Pattern TOKEN = Pattern.compile("\\S{1,32}");

    private final BaseModels models;
    private final DatasetRegistry datasets;
    private final PromptLength prompts;
    private final CallbackPolicy callbacks;

    public TrainingRequests(BaseModels models, DatasetRegistry datasets, PromptLength prompts,
                            CallbackPolicy callbacks) {
        this.models = models;
        this.datasets = datasets;
        this.prompts = prompts;
        this.callbacks = callbacks;
    }

    public TrainingRequested build(TrainingSpec spec, String trainingId, String ownerId) {
        Checks checks = new Checks();
        if (spec == null) {
            checks.fail("body", "is required: a JSON TrainingSpec");
            checks.done();
        }
        Optional<BaseModel> model = models.check(checks, "baseModel", spec.baseModel());
        Optional<DatasetView> dataset = datasets.ready(checks, "datasetId", spec.datasetId(), ownerId,
                "trainings need a READY dataset");

        List<String> newTokens = newTokens(checks, spec);
        String token = newTokens.isEmpty() ? or(spec.instanceToken(), DEFAULT_INSTANCE_TOKEN)
                : String.join("", newTokens);
        if (!newTokens.isEmpty() && spec.instanceToken() != null) {
            checks.fail("instanceToken", "leave it out with newTokens: the new tokens name the subject");
        } else if (!TOKEN.matcher(token).matches()) {
            checks.fail("instanceToken", "must be 1-32 characters without spaces, got '" + token + "'");
        }
        if (checks.required("classNoun", spec.classNoun())) {
            checks.length("classNoun", spec.classNoun(), MAX_CLASS_NOUN_LENGTH);
        }
        String noun = or(spec.classNoun(), "");
        String instancePrompt = or(spec.instancePrompt(), "a photo of " + token + " " + noun);
        String classPrompt = or(spec.classPrompt(), "a photo of " + noun);
        newTokens.stream().filter(t -> !instancePrompt.contains(t)).findFirst().ifPresent(t -> checks.fail(
                "instancePrompt", "must contain every new token, not '" + t + "': '" + instancePrompt + "'"));
        if (newTokens.isEmpty() && !instancePrompt.contains(token)) {
            checks.fail("instancePrompt", "must contain the instance token '" + token + "', got '"
                    + instancePrompt + "'");
        }
        prompts.check(checks, "instancePrompt", instancePrompt, model);
        prompts.check(checks, "classPrompt", classPrompt, model);

        checks.oneOf("mode", spec.mode(), TrainingRequested.MODES);
        boolean full = TrainingRequested.FULL.equals(spec.mode());
        boolean learnsTokens = TrainingRequested.PIVOTAL.equals(spec.mode())
                || TrainingRequested.TEXTUAL_INVERSION.equals(spec.mode());
        if (learnsTokens && newTokens.isEmpty()) {
            checks.fail("newTokens", "are required in mode " + spec.mode() + ", e.g. [\"<s1>\", \"<s2>\"]");
        } else if (!newTokens.isEmpty() && spec.mode() != null && !learnsTokens) {
            checks.fail("newTokens", "need mode pivotal or textual_inversion, not " + spec.mode());
        }
        boolean noLora = full || TrainingRequested.TEXTUAL_INVERSION.equals(spec.mode());
        if (noLora && spec.rank() != null) {
            checks.fail("rank", "applies to LoRA modes only (lora, pivotal), not " + spec.mode());
        }
        if (noLora && spec.alpha() != null) {
            checks.fail("alpha", "applies to LoRA modes only (lora, pivotal), not " + spec.mode());
        }
        if (spec.initializerToken() != null) {
            checks.length("initializerToken", spec.initializerToken(), MAX_CLASS_NOUN_LENGTH);
            prompts.check(checks, "initializerToken", spec.initializerToken(), model);
            if (newTokens.isEmpty()) {
                checks.fail("initializerToken", "applies with newTokens only");
            }
        }
        checks.positive("lrEmbeddings", spec.lrEmbeddings(), MAX_EMBEDDING_LEARNING_RATE);
        if (spec.lrEmbeddings() != null && newTokens.isEmpty()) {
            checks.fail("lrEmbeddings", "applies with newTokens only");
        }
        boolean prior = or(spec.priorPreservation(), DEFAULT_PRIOR_PRESERVATION);
        checks.range("priorLossWeight", spec.priorLossWeight(), PRIOR_LOSS_WEIGHT.min(), PRIOR_LOSS_WEIGHT.max());
        checks.range("classImageCount", spec.classImageCount(), prior ? 1 : 0, MAX_CLASS_IMAGES);
        checks.pixels("resolution", spec.resolution(), RESOLUTION.minInt(), RESOLUTION.maxInt());
        checks.range("maxTrainSteps", spec.maxTrainSteps(), MAX_TRAIN_STEPS.min(), MAX_TRAIN_STEPS.max());
        int steps = or(spec.maxTrainSteps(), DEFAULT_MAX_TRAIN_STEPS);
        checks.range("batchSize", spec.batchSize(), BATCH_SIZE.min(), BATCH_SIZE.max());
        checks.range("rank", spec.rank(), RANK.min(), RANK.max());
        checks.positive("alpha", spec.alpha(), MAX_ALPHA);
        checks.positive("unetLearningRate", spec.unetLearningRate(), MAX_UNET_LEARNING_RATE);
        checks.range("textEncoderLearningRate", spec.textEncoderLearningRate(), TEXT_ENCODER_LEARNING_RATE.min(),
                TEXT_ENCODER_LEARNING_RATE.max());
        checks.oneOf("lrScheduler", spec.lrScheduler(), LrSchedule.NAMES);
        checks.range("lrWarmupSteps", spec.lrWarmupSteps(), 0, steps);
        checks.range("seed", spec.seed(), 0, Long.MAX_VALUE);
        checks.range("checkpointInterval", spec.checkpointInterval(), 0, steps);
        checks.range("validationInterval", spec.validationInterval(), 0, steps);
        List<String> validation = or(spec.validationPrompts(), List.of());
        checks.size("validationPrompts", validation, MAX_VALIDATION_PROMPTS);
        for (int i = 0; i < validation.size(); i++) {
            String field = "validationPrompts[" + i + "]";
            if (checks.required(field, validation.get(i))) {
                prompts.check(checks, field, validation.get(i), model);
            }
        }
        int validationInterval = or(spec.validationInterval(), validation.isEmpty() ? 0 : Math.max(1, steps / 4));
        boolean validates = !validation.isEmpty() && validationInterval > 0;
        List<String> missingEncoders = models.missingEncoderRoles();
        // a selectBy asks for evaluation unless evaluate is given
        String asking = Boolean.TRUE.equals(spec.evaluate()) ? "evaluate"
                : spec.evaluate() == null && spec.selectBy() != null ? "selectBy" : null;
        String cannotEvaluate = !validates ? EVALUATE_NEEDS_VALIDATION : missingEncoders.isEmpty() ? null
                : EncoderCheck.missingMessage(missingEncoders);
        if (asking != null && cannotEvaluate != null) {
            checks.fail(asking, cannotEvaluate);
        } else {
            selectByProblem(spec.selectBy(), full, or(spec.evaluate(), cannotEvaluate == null), validates)
                    .ifPresent(problem -> checks.fail("selectBy", problem));
        }
        checks.range("noiseOffset", spec.noiseOffset(), NOISE_OFFSET);
        checks.range("snrGamma", spec.snrGamma(), SNR_GAMMA);
        callbacks.check(checks, "callbackUrl", spec.callbackUrl());
        checks.done();

        int rank = or(spec.rank(), DEFAULT_RANK);
        int datasetResolution = dataset.map(DatasetView::report).map(report -> report.settings().resolution())
                .orElse(DatasetSettings.DEFAULT.resolution());
        return new TrainingRequested(trainingId, spec.baseModel(), spec.datasetId(), token, noun, instancePrompt,
                classPrompt, prior, or(spec.priorLossWeight(), DEFAULT_PRIOR_LOSS_WEIGHT), or(spec.classImageCount(), DEFAULT_CLASS_IMAGES),
                or(spec.resolution(), datasetResolution), steps, or(spec.batchSize(), DEFAULT_BATCH_SIZE), rank,
                or(spec.alpha(), (double) rank), or(spec.unetLearningRate(), TrainingConfig.defaultLrUnet(spec.mode())),
                or(spec.textEncoderLearningRate(), DEFAULT_TEXT_ENCODER_LEARNING_RATE), or(spec.lrScheduler(), LrSchedule.DEFAULT).toLowerCase(Locale.ROOT),
                or(spec.lrWarmupSteps(), 0), or(spec.seed(), 0L), or(spec.checkpointInterval(), 0),
                validationInterval, validation, or(spec.mode(), TrainingRequested.defaultMode(newTokens)),
                or(spec.gradientCheckpointing(), false), newTokens,
                spec.initializerToken(), spec.lrEmbeddings(), or(spec.evaluate(), cannotEvaluate == null),
                spec.selectBy(), spec.noiseOffset(), spec.snrGamma());
    }

    /** The new tokens: distinct names without spaces, at most {@code MAX_NEW_TOKENS}; none when absent. */
    private static List<String> newTokens(Checks checks, TrainingSpec spec) {
        List<String> given = or(spec.newTokens(), List.of());
        checks.size("newTokens", given, MAX_NEW_TOKENS);
        for (int i = 0; i < given.size(); i++) {
            String t = given.get(i);
            if (t == null || !TOKEN.matcher(t).matches()) {
                checks.fail("newTokens[" + i + "]", "must be 1-32 characters without spaces, got '" + t + "'");
            } else if (given.indexOf(t) < i) {
                checks.fail("newTokens[" + i + "]", "repeats '" + t + "'");
            }
        }
        return given.stream().filter(t -> t != null && TOKEN.matcher(t).matches()).distinct().toList();
    }

}
