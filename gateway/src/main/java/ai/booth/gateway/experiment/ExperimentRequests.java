package ai.booth.gateway.experiment;

import ai.booth.contracts.ExperimentRequested;
import ai.booth.contracts.GenerationRequested;
import ai.booth.contracts.GridAxis;
import ai.booth.contracts.GridSpec;
import ai.booth.contracts.TrainingRequested;
import ai.booth.contracts.rules.GenerationRules;
import ai.booth.gateway.generation.GenerationRequests;
import ai.booth.gateway.generation.GenerationSpec;
import ai.booth.gateway.http.Checks;
import ai.booth.gateway.training.TrainingRequests;
import ai.booth.gateway.training.TrainingSpec;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Checks an {@link ExperimentSpec} into an {@link ExperimentRequested}: each variant's training is the base training
 * with its overrides, checked by the trainings' own rules (its problems named under {@code variants[i].}); the base
 * model's render is a grid of the prompts by the seeds, checked by the generations' rules (under {@code render.}).
 */
@ApplicationScoped
public class ExperimentRequests {

    static final int MAX_PROMPTS = GenerationRules.MAX_AXIS_VALUES;
    static final int MAX_SEEDS = GenerationRules.MAX_AXIS_VALUES;
    /** Fields a variant may not override: the experiment decides them. */
    private static final Set<String> FIXED = Set.of("datasetId", "callbackUrl");
    private static final Set<String> FIELDS = Arrays.stream(TrainingSpec.class.getRecordComponents())
            .map(RecordComponent::getName).filter(name -> !FIXED.contains(name))
            .collect(Collectors.toCollection(java.util.TreeSet::new));

    private final TrainingRequests trainings;
    private final GenerationRequests generations;
    private final ObjectMapper json;

    public ExperimentRequests(TrainingRequests trainings, GenerationRequests generations, ObjectMapper json) {
        this.trainings = trainings;
        this.generations = generations;
        this.json = json;
    }

    ExperimentRequested build(ExperimentSpec spec, String experimentId, String ownerId) {
        Checks checks = new Checks();
        if (spec == null) {
            checks.fail("body", "is required: a JSON ExperimentSpec");
            checks.done();
        }
        checks.required("datasetId", spec.datasetId());
        checks.required("training", spec.training());
        List<ExperimentSpec.VariantSpec> variants = spec.variants() == null ? List.of() : spec.variants();
        if (variants.isEmpty() || variants.size() > ExperimentRequested.MAX_VARIANTS) {
            checks.fail("variants", "must hold 1 to " + ExperimentRequested.MAX_VARIANTS + " variants, got "
                    + variants.size());
        }
        List<String> prompts = spec.prompts() == null ? List.of() : spec.prompts();
        if (prompts.isEmpty() || prompts.size() > MAX_PROMPTS) {
            checks.fail("prompts", "must hold 1 to " + MAX_PROMPTS + " prompts, got " + prompts.size());
        }
        List<Long> seeds = spec.seeds() == null ? List.of(1L) : spec.seeds();
        if (seeds.isEmpty() || seeds.size() > MAX_SEEDS || seeds.stream().anyMatch(s -> s == null || s < 0)) {
            checks.fail("seeds", "must hold 1 to " + MAX_SEEDS + " seeds >= 0, got " + seeds);
        }
        checks.done();

        Map<String, Object> base = fields(spec.training());
        if (spec.training().datasetId() != null && !spec.training().datasetId().equals(spec.datasetId())) {
            checks.fail("training.datasetId", "every variant trains on the experiment's datasetId; leave it out");
        }
        if (spec.training().callbackUrl() != null) {
            checks.fail("training.callbackUrl", "an experiment's trainings call nobody back; follow the experiment");
        }
        base.remove("callbackUrl");
        base.put("datasetId", spec.datasetId());
        List<ExperimentRequested.Variant> checked = new ArrayList<>();
        for (int i = 0; i < variants.size(); i++) {
            String field = "variants[" + i + "]";
            ExperimentSpec.VariantSpec variant = variants.get(i);
            Map<String, Object> overrides = variant == null || variant.overrides() == null ? Map.of()
                    : variant.overrides();
            Map<String, Object> merged = new LinkedHashMap<>(base);
            boolean known = true;
            for (Map.Entry<String, Object> override : overrides.entrySet()) {
                if (!FIELDS.contains(override.getKey())) {
                    checks.fail(field + ".overrides." + override.getKey(), "is not a training field a variant can"
                            + " set (one of " + FIELDS + ")");
                    known = false;
                }
                merged.put(override.getKey(), override.getValue());
            }
            if (!known) {
                continue;
            }
            TrainingSpec training;
            try {
                training = json.convertValue(merged, TrainingSpec.class);
            } catch (IllegalArgumentException e) {
                checks.fail(field + ".overrides", "do not fit a training: " + e.getMessage().lines().findFirst()
                        .orElse(""));
                continue;
            }
            TrainingRequested request = checks.part(field + ".", () -> trainings.build(training,
                    UUID.randomUUID().toString(), ownerId));
            if (request != null) {
                String label = variant != null && variant.label() != null && !variant.label().isBlank()
                        ? variant.label().strip() : label(overrides);
                checked.add(new ExperimentRequested.Variant(label, request));
            }
        }
        GridSpec grid = new GridSpec(new GridAxis("prompt", prompts),
                new GridAxis("seed", seeds.stream().map(String::valueOf).toList()));
        GenerationSpec render = new GenerationSpec(spec.training().baseModel(), prompts.get(0), null, spec.steps(),
                spec.guidanceScale(), seeds.get(0), null, spec.width(), spec.height(), spec.scheduler(), null, null,
                grid, null, null, null, null, null);
        GenerationRequested rendered = checks.part("render.", () -> generations.build(render,
                UUID.randomUUID().toString(), ownerId));
        checks.done();
        return new ExperimentRequested(experimentId, spec.datasetId(), checked, rendered);
    }

    /** The base training's given fields by name (absent ones left out, so they keep their defaults). */
    @SuppressWarnings("unchecked")
    private Map<String, Object> fields(TrainingSpec training) {
        Map<String, Object> all = json.convertValue(training, Map.class);
        Map<String, Object> given = new LinkedHashMap<>();
        all.forEach((name, value) -> {
            if (value != null) {
                given.put(name, value);
            }
        });
        return given;
    }

    /** {@code rank=8, mode=full}, or {@code base} for a variant without overrides. */
    private static String label(Map<String, Object> overrides) {
        return overrides.isEmpty() ? "base" : overrides.entrySet().stream()
                .map(e -> e.getKey() + "=" + Objects.toString(e.getValue())).collect(Collectors.joining(", "));
    }
}
