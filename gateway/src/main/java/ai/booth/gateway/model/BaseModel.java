package ai.booth.gateway.model;

import ai.booth.service.models.ModelManifest;

import java.util.Map;
import java.util.Optional;

/**
 * A model installed in the models bucket: a base model or a ControlNet.
 *
 * @param id        the id trainings and generations name ({@code baseModel}, {@code controls[].model}), its folder
 *                  in the bucket
 * @param kind      {@code base} or {@code controlnet} (the manifest's {@code type}; its {@code kind} is the layout)
 * @param manifest  its {@code model.json} ({@link ai.booth.service.models.ModelManifest}: name, kind, content hash,
 *                  resolution...)
 */
public record BaseModel(String id, String kind, Map<String, Object> manifest) {

    boolean controlNet() {
        return ModelManifest.CONTROLNET.equals(kind);
    }

    /** The model this one was fine-tuned from ({@code lineage.baseModel}), if Booth trained it. */
    Optional<String> fineTunedFrom() {
        return manifest.get("lineage") instanceof Map<?, ?> lineage && lineage.get("baseModel") instanceof String base
                ? Optional.of(base) : Optional.empty();
    }
}
