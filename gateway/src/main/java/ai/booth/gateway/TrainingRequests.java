package ai.booth.gateway;

import ai.booth.contracts.DatasetSettings;
import ai.booth.contracts.TrainingRequested;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** Checks a {@link TrainingSpec} field by field and turns it into a {@link TrainingRequested} with defaults. */
@ApplicationScoped
public class TrainingRequests {

    /** The learning-rate schedules of the engine (diffusers' names). */
    static final List<String> LR_SCHEDULERS = List.of("constant", "constant_with_warmup", "linear", "cosine",
            "cosine_with_restarts", "polynomial");
    static final int MAX_STEPS = 20_000;
    /** diffusers' train_dreambooth_lora and train_dreambooth learning rates. */
    static final double LORA_UNET_LR = 1e-4;
    static final double FULL_UNET_LR = 5e-6;
    static final int MAX_VALIDATION_PROMPTS = 4;
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

    TrainingRequested build(TrainingSpec spec, String trainingId, String ownerId) {
        Checks checks = new Checks();
        if (spec == null) {
            checks.fail("body", "is required: a JSON TrainingSpec");
            checks.done();
        }
        Optional<BaseModel> model = models.check(checks, "baseModel", spec.baseModel());
        Optional<DatasetView> dataset = dataset(checks, spec.datasetId(), ownerId);

        String token = or(spec.instanceToken(), "sks");
        if (!TOKEN.matcher(token).matches()) {
            checks.fail("instanceToken", "must be 1-32 characters without spaces, got '" + token + "'");
        }
        if (checks.required("classNoun", spec.classNoun())) {
            checks.length("classNoun", spec.classNoun(), 64);
        }
        String noun = or(spec.classNoun(), "");
        String instancePrompt = or(spec.instancePrompt(), "a photo of " + token + " " + noun);
        String classPrompt = or(spec.classPrompt(), "a photo of " + noun);
        if (!instancePrompt.contains(token)) {
            checks.fail("instancePrompt", "must contain the instance token '" + token + "', got '"
                    + instancePrompt + "'");
        }
        prompts.check(checks, "instancePrompt", instancePrompt, model);
        prompts.check(checks, "classPrompt", classPrompt, model);

        checks.oneOf("mode", spec.mode(), TrainingRequested.MODES);
        boolean full = TrainingRequested.FULL.equals(spec.mode());
        if (full && spec.rank() != null) {
            checks.fail("rank", "applies to mode lora only; a full fine-tune trains every UNet weight");
        }
        if (full && spec.alpha() != null) {
            checks.fail("alpha", "applies to mode lora only; a full fine-tune trains every UNet weight");
        }
        boolean prior = or(spec.priorPreservation(), true);
        checks.range("priorLossWeight", spec.priorLossWeight(), 0, 10);
        checks.range("classImageCount", spec.classImageCount(), prior ? 1 : 0, 1000);
        checks.pixels("resolution", spec.resolution(), 64, 2048);
        checks.range("maxTrainSteps", spec.maxTrainSteps(), 1, MAX_STEPS);
        int steps = or(spec.maxTrainSteps(), 500);
        checks.range("batchSize", spec.batchSize(), 1, 16);
        checks.range("rank", spec.rank(), 1, 128);
        checks.positive("alpha", spec.alpha(), 1024);
        checks.positive("unetLearningRate", spec.unetLearningRate(), 1e-2);
        checks.range("textEncoderLearningRate", spec.textEncoderLearningRate(), 0, 1e-2);
        checks.oneOf("lrScheduler", spec.lrScheduler(), LR_SCHEDULERS);
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
        callbacks.check(checks, "callbackUrl", spec.callbackUrl());
        checks.done();

        int rank = or(spec.rank(), 4);
        int datasetResolution = dataset.map(DatasetView::report).map(report -> report.settings().resolution())
                .orElse(DatasetSettings.DEFAULT.resolution());
        int validationInterval = or(spec.validationInterval(), validation.isEmpty() ? 0 : Math.max(1, steps / 4));
        return new TrainingRequested(trainingId, spec.baseModel(), spec.datasetId(), token, noun, instancePrompt,
                classPrompt, prior, or(spec.priorLossWeight(), 1.0), or(spec.classImageCount(), 100),
                or(spec.resolution(), datasetResolution), steps, or(spec.batchSize(), 1), rank,
                or(spec.alpha(), (double) rank), or(spec.unetLearningRate(), full ? FULL_UNET_LR : LORA_UNET_LR),
                or(spec.textEncoderLearningRate(), 0.0), or(spec.lrScheduler(), "constant").toLowerCase(Locale.ROOT),
                or(spec.lrWarmupSteps(), 0), or(spec.seed(), 0L), or(spec.checkpointInterval(), 0),
                validationInterval, validation, or(spec.mode(), TrainingRequested.LORA));
    }

    /** The caller's dataset, which must be READY; someone else's reads as absent. */
    private Optional<DatasetView> dataset(Checks checks, String datasetId, String ownerId) {
        if (!checks.required("datasetId", datasetId)) {
            return Optional.empty();
        }
        Optional<DatasetView> dataset = datasets.find(datasetId, ownerId);
        if (dataset.isEmpty()) {
            checks.fail("datasetId", "no dataset '" + datasetId + "'");
        } else if (dataset.get().status() != DatasetStatus.READY) {
            checks.fail("datasetId", "dataset '" + datasetId + "' is " + dataset.get().status()
                    + "; trainings need a READY dataset");
        }
        return dataset.filter(view -> view.status() == DatasetStatus.READY);
    }

    static <T> T or(T value, T fallback) {
        return value == null ? fallback : value;
    }
}
