package ai.booth.gateway.model;

import ai.booth.service.models.ModelManifest;

import java.util.Map;
import java.util.Optional;

/**
 * A model installed in the models bucket: a base model, a ControlNet or an evaluation encoder.
 *
 * @param id        the id trainings and generations name ({@code baseModel}, {@code controls[].model}), its folder
 *                  in the bucket
 * @param kind      {@code base}, {@code controlnet} or {@code encoder} (the manifest's {@code type}; its {@code kind} is
 *                  the layout)
 * @param manifest  its {@code model.json} ({@link ai.booth.service.models.ModelManifest}: name, kind, content hash,
 *                  resolution...)
 */
public record BaseModel(String id, String kind, Map<String, Object> manifest) {

    boolean controlNet() {
        return ModelManifest.CONTROLNET.equals(kind);
    }

    /** What the model is, for messages: "a base model", "a ControlNet", "an evaluation encoder". */
    String what() {
        return controlNet() ? "a ControlNet" : encoderRole().isPresent() ? "an evaluation encoder" : "a base model";
    }

    boolean base() {
        return ModelManifest.BASE.equals(kind);
    }

    /** An encoder's role, {@code clip} or {@code dino} (its manifest's configSource); empty for other models. */
    Optional<String> encoderRole() {
        return ModelManifest.ENCODER.equals(kind) && manifest.get("configSource") instanceof String role
                ? Optional.of(role) : Optional.empty();
    }

    /** The model this one was fine-tuned from ({@code lineage.baseModel}), if Booth trained it. */
    Optional<String> fineTunedFrom() {
        return manifest.get("lineage") instanceof Map<?, ?> lineage && lineage.get("baseModel") instanceof String base
                ? Optional.of(base) : Optional.empty();
    }
}
