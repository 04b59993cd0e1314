package ai.booth.gateway.model;

import ai.booth.gateway.GatewayConfig;
import ai.booth.gateway.auth.Caller;
import ai.booth.gateway.auth.RateLimits;
import ai.booth.gateway.http.Checks;
import ai.booth.gateway.http.Problem;
import ai.booth.gateway.http.ProblemException;
import ai.booth.service.models.ModelInstallException;
import ai.booth.service.models.ModelManifest;
import ai.booth.service.models.ModelRegistry;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Models: base models (what trainings and generations start from), ControlNets (what steers a generation) and
 * evaluation encoders (what scores a training).
 */
@jakarta.ws.rs.Path("/api/v1/models")
@Tag(name = "models")
@Produces(MediaType.APPLICATION_JSON)
public class ModelResource {

    /** Architectures a single file may name; without one it is inferred from its tensor shapes. */
    private static final Set<String> PRESETS = Set.of("sd15", "sd2");
    private static final Set<String> KINDS = Set.of(ModelManifest.BASE, ModelManifest.CONTROLNET,
            ModelManifest.ENCODER);

    private final BaseModels models;
    private final ModelRegistry registry;
    private final Caller caller;
    private final RateLimits rateLimits;
    private final GatewayConfig.Models config;

    public ModelResource(BaseModels models, ModelRegistry registry, Caller caller, RateLimits rateLimits,
                         GatewayConfig config) {
        this.models = models;
        this.registry = registry;
        this.caller = caller;
        this.rateLimits = rateLimits;
        this.config = config.models();
    }

    @GET
    @Operation(summary = "The installed models", description = "Each with its id, its kind (base: baseModel in"
            + " trainings and generations; controlnet: controls[].model in generations; encoder: a CLIP or DINO"
            + " encoder that scores trainings, its role in manifest.configSource) and its model.json manifest.")
    public List<BaseModel> list() {
        return models.list();
    }

    @POST
    @Blocking
    @Consumes({MediaType.APPLICATION_OCTET_STREAM, "application/zip"})
    @Operation(summary = "Install a base model, a ControlNet or an evaluation encoder", description = "The body is a"
            + " .safetensors single file (civitai / A1111 layout) or a zip of a diffusers folder (a base model's with"
            + " model_index.json, a ControlNet's with config.json), or for kind encoder a zip of a transformers folder"
            + " (config.json, model.safetensors, preprocessor_config.json and, for CLIP, the tokenizer: e.g."
            + " openai/clip-vit-large-patch14 or facebook/dino-vits16). The engine checks every tensor name and shape"
            + " before"
            + " anything is stored; the manifest is written last, so a model appears complete or not at all. Models"
            + " are shared by all owners: only keys of owners in booth.gateway.models.admins may install.")
    @APIResponse(responseCode = "201", description = "installed; the manifest")
    @APIResponse(responseCode = "200", description = "these weights were already installed under this id")
    @APIResponse(responseCode = "400", description = "bad id or config, not a loadable model (reason given)")
    @APIResponse(responseCode = "403", description = "the key's owner may not install models")
    @APIResponse(responseCode = "409", description = "the id is taken by other weights")
    @APIResponse(responseCode = "413", description = "over booth.gateway.models.max-bytes; nothing stored")
    public Response install(@Parameter(description = "model id, e.g. sd15", required = true) @QueryParam("id") String id,
                            @Parameter(description = "display name") @QueryParam("name") String name,
                            @Parameter(description = "single files: sd15 or sd2; default: inferred from shapes")
                            @QueryParam("config") String preset,
                            @Parameter(description = "single files: take the configs (heads, norm groups, tokenizer,"
                                    + " scheduler) of this installed model, e.g. the SD-1.5 a fine-tune came from")
                            @QueryParam("configFrom") String configFrom,
                            @Parameter(description = "base (default), controlnet or encoder") @QueryParam("kind") String kind,
                            InputStream body) throws IOException {
        if (!config.admins().contains(caller.ownerId())) {
            throw ProblemException.forbidden("owner '" + caller.ownerId() + "' may not install base models (see"
                    + " booth.gateway.models.admins)");
        }
        Checks checks = new Checks();
        if (checks.required("id", id) && !ModelRegistry.isValidId(id)) {
            checks.fail("id", "1-100 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        checks.oneOf("config", preset, PRESETS);
        checks.oneOf("kind", kind, KINDS);
        boolean controlNet = ModelManifest.CONTROLNET.equalsIgnoreCase(String.valueOf(kind));
        boolean encoder = ModelManifest.ENCODER.equalsIgnoreCase(String.valueOf(kind));
        if (controlNet && (preset != null || configFrom != null)) {
            checks.fail(preset != null ? "config" : "configFrom", "a ControlNet takes no config: a folder has its"
                    + " config.json, a single file takes the UNet config of the base model it steers");
        } else if (encoder && (preset != null || configFrom != null)) {
            checks.fail(preset != null ? "config" : "configFrom", "an encoder takes no config: its folder has its"
                    + " config.json");
        } else if (configFrom != null) {
            if (preset != null) {
                checks.fail("configFrom", "give config or configFrom, not both");
            }
            models.check(checks, "configFrom", configFrom);
        }
        checks.done();
        rateLimits.spend(caller.key());
        boolean existed = registry.manifest(id).isPresent();
        try (ModelUpload upload = ModelUpload.read(body, id + ".safetensors",
                controlNet || encoder ? "config.json" : "model_index.json", config.maxBytes())) {
            if (controlNet) {
                return installed(existed, registry.installControlNet(upload.model(), id, name));
            }
            if (encoder) {
                return installed(existed, registry.installEncoder(upload.model(), id, name));
            }
            String config = preset;
            if (configFrom != null) {
                Path configs = upload.folder("configs");
                registry.downloadConfigs(configFrom, configs);
                config = configs.toString();
            }
            return installed(existed, registry.install(upload.model(), id, name, config));
        } catch (ModelInstallException e) {
            if (registry.manifest(id).isPresent()) {
                throw ProblemException.conflict("model-exists", e.getMessage());
            }
            throw ProblemException.invalid(List.of(new Problem.FieldError("body", e.getMessage())));
        }
    }

    private Response installed(boolean existed, ModelManifest manifest) {
        models.refresh();
        return Response.status(existed ? Response.Status.OK : Response.Status.CREATED).entity(manifest).build();
    }
}
