package ai.booth.service.models;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.List;

/**
 * {@code models/<id>/model.json}: what a model is and which objects make it up. Written after every other object of
 * the model, so a model is installed exactly when its manifest exists.
 *
 * @param id            the model id ({@code baseModel} of trainings and generations, {@code controls[].model})
 * @param name          a display name
 * @param kind          {@value #FOLDER} (a diffusers folder's files) or {@value #SINGLE_FILE} (one original-layout
 *                      {@code .safetensors} checkpoint, plus companion configs under {@code config/} when given)
 * @param contentHash   SHA-256 over the weight files, equal to the engine's {@code StableDiffusionModel.contentHash}
 *                      of the loaded model (computed from the files by the engine's dry-run check, without loading)
 * @param sizeBytes     total bytes of {@code files}
 * @param configSource  where the architecture comes from: {@code folder}, {@code companion} (the files under
 *                      {@code config/}), {@code preset:<name>} or {@code inferred} (from tensor shapes); for an
 *                      encoder its role, {@code clip} or {@code dino} (from its config's model_type)
 * @param resolution    native image size in pixels (UNet sample size × VAE downscale; 512 for SD-1.5)
 * @param weights       for single files, the checkpoint's path relative to the model prefix; null for folders
 * @param files         every object of the model except the manifest, relative to {@code <id>/}
 * @param created       when the model was installed
 * @param lineage       for a model Booth trained (a full fine-tune), what it was trained from; null for models
 *                      installed from files
 * @param type          {@value #BASE} (absent in manifests older than ControlNets), {@value #CONTROLNET} or
 *                      {@value #ENCODER} (an evaluation encoder, a transformers folder): what the model is for;
 *                      {@code kind} already names the storage layout, so this is a field of its own
 */
public record ModelManifest(String id, String name, String kind, String contentHash, long sizeBytes,
                            String configSource, int resolution, String weights, List<ModelFile> files,
                            Instant created,
                            @JsonInclude(JsonInclude.Include.NON_NULL) ModelLineage lineage, String type) {

    public static final String FOLDER = "folder";
    public static final String SINGLE_FILE = "single-file";
    public static final String BASE = "base";
    public static final String CONTROLNET = "controlnet";
    public static final String ENCODER = "encoder";

    public ModelManifest {
        type = type == null ? BASE : type;
    }

    /** One stored object of a model: path relative to the model's prefix, and its size. */
    public record ModelFile(String path, long sizeBytes) {
    }

    /** This manifest under another id. */
    public ModelManifest withId(String newId) {
        return new ModelManifest(newId, name, kind, contentHash, sizeBytes, configSource, resolution, weights, files,
                created, lineage, type);
    }

    @JsonIgnore
    public boolean controlNet() {
        return CONTROLNET.equals(type);
    }

    @JsonIgnore
    public boolean encoder() {
        return ENCODER.equals(type);
    }

    /** A base model: what trainings and generations start from. */
    @JsonIgnore
    public boolean base() {
        return BASE.equals(type);
    }

    @JsonIgnore
    public boolean singleFile() {
        return SINGLE_FILE.equals(kind);
    }
}
