package ai.booth.gateway.model;

import ai.booth.gateway.http.Checks;
import ai.booth.gateway.http.MultipartReader;
import ai.booth.contracts.Buckets;
import ai.booth.diffusion.loader.EncoderCheck;
import ai.booth.service.models.ModelManifest;
import ai.booth.service.models.ModelRegistry;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The models of the {@link ModelRegistry} (every model whose {@code model.json} manifest is written): base models,
 * ControlNets and evaluation encoders, each checked to be used only as what it is. Listed afresh at most every few seconds, so newly
 * installed models appear.
 */
@ApplicationScoped
public class BaseModels {

    private static final long CACHE_NANOS = 5_000_000_000L;
    private static final int MAX_LINEAGE = 16;
    private static final ObjectMapper JSON = JsonMapper.builder().addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).build();
    private static final TypeReference<Map<String, Object>> MANIFEST_MAP = new TypeReference<>() { };

    private final ModelRegistry registry;
    private List<BaseModel> cached;
    private long listedAt;

    public BaseModels(ModelRegistry registry) {
        this.registry = registry;
    }

    synchronized List<BaseModel> list() {
        if (cached == null || System.nanoTime() - listedAt > CACHE_NANOS) {
            cached = read();
            listedAt = System.nanoTime();
        }
        return cached;
    }

    /** Forget the listing, after an install through this gateway. */
    synchronized void refresh() {
        cached = null;
    }

    Optional<BaseModel> find(String id) {
        return list().stream().filter(model -> model.id().equals(id)).findFirst();
    }

    /**
     * Validates a {@code baseModel} field: required, and installed. Only an installed model comes back, so nothing
     * downstream (the tokenizer cache) is ever keyed by a client's arbitrary string.
     */
    public Optional<BaseModel> check(Checks checks, String field, String id) {
        if (!checks.required(field, id)) {
            return Optional.empty();
        }
        Optional<BaseModel> model = find(id);
        if (model.isEmpty()) {
            checks.fail(field, "no base model '" + MultipartReader.abbreviate(id) + "' is installed; installed: "
                    + ids(ModelManifest.BASE));
        } else if (!model.get().base()) {
            checks.fail(field, "'" + id + "' is " + model.get().what() + ", not a base model"
                    + (model.get().controlNet() ? ": give it in controls[].model" : "") + "; base models: "
                    + ids(ModelManifest.BASE));
            return Optional.empty();
        }
        return model;
    }

    /** Validates a ControlNet field ({@code controls[i].model}): required, installed, and a ControlNet. */
    public boolean checkControlNet(Checks checks, String field, String id) {
        if (!checks.required(field, id)) {
            return false;
        }
        Optional<BaseModel> model = find(id);
        if (model.isEmpty()) {
            checks.fail(field, "no ControlNet '" + MultipartReader.abbreviate(id) + "' is installed; installed: "
                    + ids(ModelManifest.CONTROLNET));
        } else if (!model.get().controlNet()) {
            checks.fail(field, "'" + id + "' is " + model.get().what() + ", not a ControlNet; ControlNets: "
                    + ids(ModelManifest.CONTROLNET));
        }
        return model.isPresent() && model.get().controlNet();
    }

    private List<String> ids(String kind) {
        return list().stream().filter(m -> m.kind().equals(kind)).map(BaseModel::id).toList();
    }

    /**
     * The encoder roles evaluation needs that no installed encoder fills ({@code clip}, {@code dino}); empty when
     * trainings can be evaluated.
     */
    public List<String> missingEncoderRoles() {
        List<String> installed = list().stream().flatMap(m -> m.encoderRole().stream()).toList();
        return EncoderCheck.ROLES.stream().filter(role -> !installed.contains(role)).toList();
    }

    /**
     * Whether a LoRA trained on {@code loraBase} fits model {@code id}: it is that model or, through the lineage
     * Booth records, a full fine-tune of it (at any depth) — the same architecture and a close relative's weights.
     */
    public boolean takesLorasOf(String id, String loraBase) {
        String model = id;
        for (int depth = 0; model != null && depth < MAX_LINEAGE; depth++) {
            if (model.equals(loraBase)) {
                return true;
            }
            model = find(model).flatMap(BaseModel::fineTunedFrom).orElse(null);
        }
        return false;
    }

    private List<BaseModel> read() {
        try {
            return registry.list().stream()
                    .map(manifest -> new BaseModel(manifest.id(), manifest.type(),
                            JSON.convertValue(manifest, MANIFEST_MAP)))
                    .toList();
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot list base models in bucket " + Buckets.MODELS + ": " + e, e);
        }
    }
}
