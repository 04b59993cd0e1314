package ai.booth.gateway.training;

import ai.booth.gateway.auth.Caller;
import ai.booth.gateway.http.Checks;
import ai.booth.gateway.http.ProblemException;
import ai.booth.gateway.job.JobStatus;
import ai.booth.gateway.job.Links;
import ai.booth.gateway.job.Page;
import ai.booth.gateway.job.ViewHistory;
import ai.booth.contracts.Buckets;
import ai.booth.contracts.TrainingRequested;
import ai.booth.diffusion.embedding.TextualInversion;
import ai.booth.diffusion.lora.LoraLayout;
import ai.booth.service.ObjectStore;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Adapters: the LoRA files of completed trainings, downloadable in the diffusers/PEFT or kohya/A1111 layout. */
@Path("/api/v1/adapters")
@Tag(name = "adapters")
@Produces(MediaType.APPLICATION_JSON)
public class AdapterResource {

    static final List<String> LORA_LAYOUTS = List.of("peft", "kohya");
    /** The new tokens' files: A1111 ({@code emb_params}) and kohya / diffusers advanced ({@code clip_l}). */
    static final List<String> EMBEDDING_LAYOUTS = List.of("embedding", "embedding_kohya");
    static final List<String> LAYOUTS = Stream.concat(LORA_LAYOUTS.stream(), EMBEDDING_LAYOUTS.stream()).toList();

    private final TrainingRegistry trainings;
    private final ObjectStore store;
    private final Links links;
    private final Caller caller;
    private final ViewHistory history;

    public AdapterResource(TrainingRegistry trainings, ObjectStore store, Links links, Caller caller,
                           ViewHistory history) {
        this.trainings = trainings;
        this.store = store;
        this.links = links;
        this.caller = caller;
        this.history = history;
    }

    @GET
    @Operation(summary = "Your adapters (completed LoRA, pivotal and textual-inversion trainings), newest first")
    public Page<Adapter> list(@QueryParam("offset") @DefaultValue("0") int offset,
                              @QueryParam("limit") @DefaultValue("20") int limit) {
        Page.check(offset, limit);
        return trainings.views().page(caller.ownerId(), view -> view.status() == JobStatus.COMPLETED
                && view.result().modelId() == null, offset, limit).map(AdapterResource::adapter);
    }

    @GET
    @Path("/{trainingId}")
    @Operation(summary = "Download an adapter", description = "Redirects (303) to a short-lived presigned URL of the"
            + " safetensors file: layout=peft (diffusers, default) or kohya (A1111, civitai); for new tokens"
            + " embedding (A1111 textual inversion) or embedding_kohya (kohya, diffusers advanced).")
    @APIResponse(responseCode = "303", description = "Location: the presigned download URL")
    @APIResponse(responseCode = "404", description = "no completed training of yours, or no file in that layout")
    public Response download(@PathParam("trainingId") String trainingId,
                             @QueryParam("layout") @DefaultValue("peft") String layout) {
        Checks checks = new Checks();
        checks.oneOf("layout", layout, LAYOUTS);
        checks.done();
        TrainingView training = trainings.find(trainingId, caller.ownerId())
                .filter(view -> view.status() == JobStatus.COMPLETED)
                .orElseThrow(() -> history.notFound("adapter", trainingId));
        if (training.result().modelId() != null) {
            throw ProblemException.of(Response.Status.NOT_FOUND, "training '" + trainingId + "' is a full fine-tune;"
                    + " it made base model '" + training.result().modelId() + "', not an adapter");
        }
        String key = EMBEDDING_LAYOUTS.contains(layout) ? embeddingKey(training.result().embeddingKey(), layout)
                : training.request() != null && training.request().textualInversion() ? null
                : fileKey(training.result().adapterKey(), LoraLayout.parse(layout));
        if (key == null) {
            throw ProblemException.of(Response.Status.NOT_FOUND, "the adapter of training '" + trainingId
                    + "' has no " + layout + " file");
        }
        String fileName = trainingId + "-" + key.substring(key.lastIndexOf('/') + 1);
        return Response.seeOther(URI.create(links.url(Buckets.ADAPTERS, caller.ownerId(), key,
                Map.of("response-content-disposition", "attachment; filename=\"" + fileName + "\"")))).build();
    }

    /** The embedding file, or its kohya twin beside it ({@code <name>_emb.safetensors}); null without new tokens. */
    private String embeddingKey(String a1111Key, String layout) {
        if (a1111Key == null) {
            return null;
        }
        String key = layout.equals("embedding") ? a1111Key : TextualInversion.kohyaTwin(a1111Key);
        return store.exists(Buckets.ADAPTERS, key) ? key : null;
    }

    /** The layout's file beside the adapter (the trainer writes both); the adapter key itself for its own layout. */
    private String fileKey(String adapterKey, LoraLayout layout) {
        String sibling = adapterKey.substring(0, adapterKey.lastIndexOf('/') + 1) + layout.fileName();
        if (store.exists(Buckets.ADAPTERS, sibling)) {
            return sibling;
        }
        boolean ownLayout = layout == LoraLayout.PEFT ^ adapterKey.endsWith(LoraLayout.KOHYA.fileName());
        return ownLayout && store.exists(Buckets.ADAPTERS, adapterKey) ? adapterKey : null;
    }

    private static Adapter adapter(TrainingView view) {
        TrainingRequested request = view.request();
        String mode = request == null ? TrainingRequested.LORA : request.effectiveMode();
        List<String> layouts = new ArrayList<>();
        if (!TrainingRequested.TEXTUAL_INVERSION.equals(mode)) {
            layouts.addAll(LORA_LAYOUTS);
        }
        if (view.result().embeddingKey() != null) {
            layouts.addAll(EMBEDDING_LAYOUTS);
        }
        Map<String, String> downloads = new LinkedHashMap<>();
        layouts.forEach(layout -> downloads.put(layout, "/api/v1/adapters/" + view.trainingId() + "?layout="
                + layout));
        return new Adapter(view.trainingId(), request == null ? null : request.baseModel(),
                request == null ? null : request.instancePrompt(), request == null ? null : request.rank(),
                request == null ? null : request.alpha(), view.result().steps(), view.result().finalLoss(),
                view.createdAt(), view.result().adapterKey(), downloads, mode,
                request == null ? List.of() : request.newTokens());
    }
}
