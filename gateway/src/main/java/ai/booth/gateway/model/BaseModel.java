package ai.booth.gateway.model;

import java.util.Map;

/**
 * A base model installed in the models bucket.
 *
 * @param id        the id trainings and generations name ({@code baseModel}), its folder in the bucket
 * @param manifest  its {@code model.json} ({@link ai.booth.service.models.ModelManifest}: name, kind, content hash,
 *                  resolution...)
 */
public record BaseModel(String id, Map<String, Object> manifest) {
}
