package ai.booth.gateway.model;

import java.util.Map;
import java.util.Optional;

/**
 * A base model installed in the models bucket.
 *
 * @param id        the id trainings and generations name ({@code baseModel}), its folder in the bucket
 * @param manifest  its {@code model.json} ({@link ai.booth.service.models.ModelManifest}: name, kind, content hash,
 *                  resolution...)
 */
public record BaseModel(String id, Map<String, Object> manifest) {

    /** The model this one was fine-tuned from ({@code lineage.baseModel}), if Booth trained it. */
    Optional<String> fineTunedFrom() {
        return manifest.get("lineage") instanceof Map<?, ?> lineage && lineage.get("baseModel") instanceof String base
                ? Optional.of(base) : Optional.empty();
    }
}
