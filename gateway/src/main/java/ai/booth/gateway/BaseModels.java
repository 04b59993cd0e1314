package ai.booth.gateway;

import ai.booth.contracts.Buckets;
import ai.booth.service.ObjectStore;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.minio.ListObjectsArgs;
import io.minio.messages.Item;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The base models installed in the models bucket: every top-level folder holding a {@code model.json} manifest or a
 * diffusers {@code model_index.json}. Listed afresh at most every few seconds, so newly installed models appear.
 */
@ApplicationScoped
public class BaseModels {

    static final String MANIFEST = "model.json";
    static final String MODEL_INDEX = "model_index.json";
    private static final long CACHE_NANOS = 5_000_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectStore store;
    private List<BaseModel> cached;
    private long listedAt;

    public BaseModels(ObjectStore store) {
        this.store = store;
    }

    synchronized List<BaseModel> list() {
        if (cached == null || System.nanoTime() - listedAt > CACHE_NANOS) {
            cached = read();
            listedAt = System.nanoTime();
        }
        return cached;
    }

    Optional<BaseModel> find(String id) {
        return list().stream().filter(model -> model.id().equals(id)).findFirst();
    }

    /** Validates a {@code baseModel} field: required, and installed. */
    void check(Checks checks, String field, String id) {
        if (checks.required(field, id) && find(id).isEmpty()) {
            checks.fail(field, "no base model '" + id + "' is installed; installed: "
                    + list().stream().map(BaseModel::id).toList());
        }
    }

    private List<BaseModel> read() {
        List<BaseModel> models = new ArrayList<>();
        try {
            for (var result : store.client().listObjects(ListObjectsArgs.builder().bucket(Buckets.MODELS)
                    .recursive(false).build())) {
                Item item = result.get();
                if (!item.isDir()) {
                    continue;
                }
                String id = item.objectName().replaceAll("/$", "");
                if (store.exists(Buckets.MODELS, id + "/" + MANIFEST)) {
                    models.add(new BaseModel(id, JSON.readValue(store.get(Buckets.MODELS, id + "/" + MANIFEST),
                            new TypeReference<Map<String, Object>>() { })));
                } else if (store.exists(Buckets.MODELS, id + "/" + MODEL_INDEX)) {
                    models.add(new BaseModel(id, Map.of()));
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot list base models in bucket " + Buckets.MODELS + ": " + e, e);
        }
        return List.copyOf(models);
    }
}
