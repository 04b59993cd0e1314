package ai.booth.gateway.generation;

import ai.booth.gateway.job.Idempotency;
import ai.booth.gateway.job.Page;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.concurrent.CompletionStage;

/** Generations: images from a base model and optional LoRA adapters, single or as a grid. */
@Path("/api/v1/generations")
@Tag(name = "generations")
@Produces(MediaType.APPLICATION_JSON)
public class GenerationResource {

    private final GenerationService generations;

    public GenerationResource(GenerationService generations) {
        this.generations = generations;
    }

    @POST
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Render images", description = "Checks every field, applies the defaults and publishes"
            + " GenerationRequested; sampler-service answers with GenerationCompleted or GenerationFailed. LoRA"
            + " adapters are named by training id. With an Idempotency-Key, the same key and body answer 200 with"
            + " the same job.")
    @APIResponse(responseCode = "202", description = "requested")
    @APIResponse(responseCode = "200", description = "the generation this Idempotency-Key created before")
    @APIResponse(responseCode = "400", description = "invalid fields, each named in errors")
    @APIResponse(responseCode = "409", description = "the Idempotency-Key was used with another body")
    @APIResponse(responseCode = "429", description = "rate limit of the API key; see Retry-After")
    public CompletionStage<Response> create(@HeaderParam(Idempotency.HEADER) String idempotencyKey,
                                            GenerationSpec spec) {
        return generations.create(idempotencyKey, spec);
    }

    @GET
    @Operation(summary = "Your generations, newest first: a gallery with every image's parameters")
    public Page<GenerationView> list(@QueryParam("offset") @DefaultValue("0") int offset,
                                     @QueryParam("limit") @DefaultValue("20") int limit) {
        return generations.list(offset, limit);
    }

    @GET
    @Path("/{generationId}")
    @Operation(summary = "A generation's status, parameters, and images (presigned URLs) or failure")
    @APIResponse(responseCode = "404", description = "no such generation of yours")
    public GenerationView get(@PathParam("generationId") String generationId) {
        return generations.get(generationId);
    }
}
