package ai.booth.gateway.generation;

import ai.booth.gateway.http.Checks;
import ai.booth.gateway.job.CallbackPolicy;
import ai.booth.gateway.job.JobStatus;
import ai.booth.gateway.model.BaseModel;
import ai.booth.gateway.model.BaseModels;
import ai.booth.gateway.model.PromptLength;
import ai.booth.gateway.training.TrainingRegistry;
import ai.booth.gateway.training.TrainingView;
import ai.booth.contracts.Buckets;
import ai.booth.contracts.GenerationRequested;
import ai.booth.contracts.GridAxis;
import ai.booth.contracts.GridSpec;
import ai.booth.contracts.LoraRef;
import ai.booth.contracts.rules.ControlRules;
import ai.booth.diffusion.pipeline.GenerationParams;
import ai.booth.diffusion.scheduler.Schedulers;
import ai.booth.service.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static ai.booth.contracts.rules.GenerationRules.*;
import static ai.booth.gateway.http.Checks.or;

/**
 * Checks a {@link GenerationSpec} field by field and turns it into a {@link GenerationRequested} with defaults; its
 * control images are stored only once every field passed.
 */
@ApplicationScoped
public class GenerationRequests {

    private static final SecureRandom SEEDS = new SecureRandom();

    private final BaseModels models;
    private final TrainingRegistry trainings;
    private final PromptLength prompts;
    private final CallbackPolicy callbacks;
    private final ObjectStore store;
    private final GenerationControls controls;

    public GenerationRequests(BaseModels models, TrainingRegistry trainings, PromptLength prompts,
                              ObjectStore store, CallbackPolicy callbacks, GenerationControls controls) {
        this.models = models;
        this.controls = controls;
        this.trainings = trainings;
        this.prompts = prompts;
        this.store = store;
        this.callbacks = callbacks;
    }

    public GenerationRequested build(GenerationSpec spec, String generationId, String ownerId) {
        Checks checks = new Checks();
        if (spec == null) {
            checks.fail("body", "is required: a JSON GenerationSpec");
            checks.done();
        }
        Optional<BaseModel> model = models.check(checks, "baseModel", spec.baseModel());
        if (checks.required("prompt", spec.prompt())) {
            prompts.check(checks, "prompt", spec.prompt(), model);
        }
        prompts.check(checks, "negativePrompt", spec.negativePrompt(), model);
        checks.range("steps", spec.steps(), STEPS.min(), STEPS.max());
        checks.range("guidanceScale", spec.guidanceScale(), GUIDANCE_SCALE.min(), GUIDANCE_SCALE.max());
        checks.range("seed", spec.seed(), 0, Long.MAX_VALUE);
        checks.range("count", spec.count(), COUNT.min(), COUNT.max());
        checks.pixels("width", spec.width(), SIZE.minInt(), SIZE.maxInt());
        checks.pixels("height", spec.height(), SIZE.minInt(), SIZE.maxInt());
        String scheduler = scheduler(checks, spec.scheduler());
        checks.range("clipSkip", spec.clipSkip(), CLIP_SKIP.min(), CLIP_SKIP.max());
        if (checks.range("deepCache", spec.deepCache(), DEEP_CACHE) && or(spec.deepCache(), 1) > 1
                && !or(spec.controls(), List.of()).isEmpty()) {
            checks.fail("deepCache", DEEP_CACHE_WITHOUT_CONTROLS);
        }
        checks.range("tokenMerging", spec.tokenMerging(), TOKEN_MERGING);
        List<LoraRef> loras = loras(checks, spec, ownerId);
        List<String> embeddings = embeddings(checks, spec, ownerId);
        List<GenerationControls.Checked> units = controls.check(checks, spec.controls(), ownerId);
        grid(checks, spec, model);
        callbacks.check(checks, "callbackUrl", spec.callbackUrl());
        checks.done();

        int size = model.map(m -> m.manifest().get("resolution"))
                .filter(Number.class::isInstance).map(n -> ((Number) n).intValue()).orElse(DEFAULT_SIZE);
        long seed = spec.seed() != null ? spec.seed() : SEEDS.nextLong(1L << 32);
        return new GenerationRequested(generationId, spec.baseModel(), spec.prompt(), spec.negativePrompt(),
                or(spec.steps(), GenerationParams.DEFAULT_STEPS),
                or(spec.guidanceScale(), GenerationParams.DEFAULT_GUIDANCE_SCALE), seed,
                or(spec.count(), GenerationParams.DEFAULT_IMAGES_PER_PROMPT),
                or(spec.width(), size), or(spec.height(), size), scheduler, or(spec.clipSkip(), DEFAULT_CLIP_SKIP), loras,
                spec.grid(), controls.store(units, ownerId, generationId), embeddings, spec.deepCache(),
                spec.tokenMerging());
    }

    /** The embedding file of each training named: a COMPLETED training of the caller that learned new tokens. */
    private List<String> embeddings(Checks checks, GenerationSpec spec, String ownerId) {
        List<String> given = or(spec.embeddings(), List.of());
        checks.size("embeddings", given, MAX_EMBEDDINGS);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < given.size(); i++) {
            String field = "embeddings[" + i + "]";
            String id = given.get(i);
            completed(checks, field, id, ownerId, "embeddings").ifPresent(training -> {
                if (training.result().embeddingKey() == null) {
                    checks.fail(field, "training '" + id + "' learned no new tokens (modes pivotal and"
                            + " textual_inversion do)");
                } else if (fitsBase(checks, field, training, spec.baseModel())) {
                    keys.add(training.result().embeddingKey());
                }
            });
        }
        return keys;
    }

    /** The owner's COMPLETED training {@code id}, named in {@code field}; empty after failing the field. */
    private Optional<TrainingView> completed(Checks checks, String field, String id, String ownerId, String has) {
        Optional<TrainingView> training = id == null ? Optional.empty() : trainings.find(id, ownerId);
        if (training.isEmpty()) {
            checks.fail(field, "no training '" + id + "'");
        } else if (training.get().status() != JobStatus.COMPLETED) {
            checks.fail(field, "training '" + id + "' is " + training.get().status() + "; only COMPLETED trainings"
                    + " have " + has);
            return Optional.empty();
        }
        return training;
    }

    /** Whether what the training learned fits {@code baseModel} (its base or a fine-tune of it); fails otherwise. */
    private boolean fitsBase(Checks checks, String field, TrainingView training, String baseModel) {
        if (training.request() == null || baseModel == null
                || models.takesLorasOf(baseModel, training.request().baseModel())) {
            return true;
        }
        checks.fail(field, "training '" + training.trainingId() + "' was trained on base model '"
                + training.request().baseModel() + "', not '" + baseModel + "' nor a model fine-tuned from it");
        return false;
    }

    private static String scheduler(Checks checks, String name) {
        if (name == null) {
            return GenerationParams.DEFAULT_SCHEDULER;
        }
        try {
            return Schedulers.canonicalName(name);
        } catch (IllegalArgumentException e) {
            checks.fail("scheduler", "must be one of " + Schedulers.names() + " (or an A1111 label), got '"
                    + name + "'");
            return name;
        }
    }

    /** Each adapter by training id (a COMPLETED training of the caller) or adapter key (under the caller's prefix). */
    private List<LoraRef> loras(Checks checks, GenerationSpec spec, String ownerId) {
        List<GenerationSpec.LoraSpec> given = or(spec.loras(), List.of());
        checks.size("loras", given, MAX_LORAS);
        List<LoraRef> refs = new ArrayList<>();
        for (int i = 0; i < given.size(); i++) {
            String field = "loras[" + i + "]";
            GenerationSpec.LoraSpec lora = given.get(i);
            if (lora == null) {
                checks.fail(field, "is null");
                continue;
            }
            checks.range(field + ".unetScale", lora.unetScale(), LORA_SCALE.min(), LORA_SCALE.max());
            checks.range(field + ".textEncoderScale", lora.textEncoderScale(), LORA_SCALE.min(),
                    LORA_SCALE.max());
            adapterKey(checks, field, lora, spec.baseModel(), ownerId).ifPresent(key -> refs.add(new LoraRef(key,
                    or(lora.unetScale(), DEFAULT_LORA_SCALE), or(lora.textEncoderScale(), DEFAULT_LORA_SCALE))));
        }
        return refs;
    }

    private Optional<String> adapterKey(Checks checks, String field, GenerationSpec.LoraSpec lora, String baseModel,
                                        String ownerId) {
        if (lora.trainingId() != null) {
            String idField = field + ".trainingId";
            String id = lora.trainingId();
            return completed(checks, idField, id, ownerId, "an adapter").flatMap(training -> {
                if (training.result().modelId() != null) {
                    checks.fail(idField, "training '" + id + "' is a full fine-tune, not a LoRA; use its model as"
                            + " baseModel: '" + training.result().modelId() + "'");
                } else if (training.request() != null && training.request().textualInversion()) {
                    checks.fail(idField, "training '" + id + "' learned new tokens only (textual_inversion), no"
                            + " LoRA; name it in embeddings");
                } else if (fitsBase(checks, idField, training, baseModel)) {
                    return Optional.of(training.result().adapterKey());
                }
                return Optional.empty();
            });
        }
        String key = lora.adapterKey();
        if (key == null) {
            checks.fail(field, "needs a trainingId or an adapterKey");
            return Optional.empty();
        }
        if (!key.startsWith(ownerId + "/") || !store.exists(Buckets.ADAPTERS, key)) {
            checks.fail(field + ".adapterKey", "no adapter '" + key + "'");
            return Optional.empty();
        }
        return Optional.of(key);
    }

    private void grid(Checks checks, GenerationSpec spec, Optional<BaseModel> model) {
        GridSpec grid = spec.grid();
        if (grid == null) {
            return;
        }
        axis(checks, "grid.x", grid.x(), spec, model);
        axis(checks, "grid.y", grid.y(), spec, model);
        if (grid.x() != null && grid.y() != null && grid.x().parameter() != null
                && grid.x().parameter().equals(grid.y().parameter())) {
            checks.fail("grid.y.parameter", "must differ from grid.x.parameter");
        }
    }

    private void axis(Checks checks, String field, GridAxis axis, GenerationSpec spec, Optional<BaseModel> model) {
        if (!checks.required(field, axis) || !checks.required(field + ".parameter", axis.parameter())) {
            return;
        }
        if (!GRID_PARAMETERS.contains(axis.parameter())) {
            checks.fail(field + ".parameter", "must be one of " + GRID_PARAMETERS + ", got '" + axis.parameter()
                    + "'");
            return;
        }
        List<String> values = axis.values() == null ? List.of() : axis.values();
        if (values.isEmpty() || values.size() > MAX_AXIS_VALUES) {
            checks.fail(field + ".values", "must hold 1-" + MAX_AXIS_VALUES + " values, got " + values.size());
            return;
        }
        boolean controlScale = axis.parameter().equals("controlScale");
        if (axis.parameter().endsWith("Scale") && !axis.parameter().equals("guidanceScale") && !controlScale
                && (spec.loras() == null || spec.loras().isEmpty())) {
            checks.fail(field + ".parameter", "'" + axis.parameter() + "' needs at least one LoRA in loras");
        }
        if (controlScale && (spec.controls() == null || spec.controls().isEmpty())) {
            checks.fail(field + ".parameter", "'controlScale' needs at least one ControlNet in controls");
        }
        for (int i = 0; i < values.size(); i++) {
            String valueField = field + ".values[" + i + "]";
            String value = values.get(i);
            if (!checks.required(valueField, value)) {
                continue;
            }
            try {
                switch (axis.parameter()) {
                    case "seed" -> checks.range(valueField, Long.parseLong(value.strip()), 0, Long.MAX_VALUE);
                    case "steps" -> checks.range(valueField, Integer.parseInt(value.strip()), STEPS.min(),
                            STEPS.max());
                    case "guidanceScale" -> checks.range(valueField, Double.parseDouble(value.strip()),
                            GUIDANCE_SCALE.min(), GUIDANCE_SCALE.max());
                    case "prompt" -> prompts.check(checks, valueField, value, model);
                    case "controlScale" -> checks.range(valueField, Double.parseDouble(value.strip()),
                            ControlRules.SCALE.min(), ControlRules.SCALE.max());
                    default -> checks.range(valueField, Double.parseDouble(value.strip()), LORA_SCALE.min(),
                            LORA_SCALE.max());
                }
            } catch (NumberFormatException e) {
                checks.fail(valueField, "must be a number for " + axis.parameter() + ", got '" + value + "'");
            }
        }
    }
}
