package ai.booth.gateway.generation;

import ai.booth.gateway.auth.Caller;
import ai.booth.gateway.http.Checks;
import ai.booth.gateway.http.ProblemException;
import ai.booth.gateway.job.Idempotency;
import ai.booth.gateway.job.JobStarter;
import ai.booth.gateway.job.Links;
import ai.booth.gateway.job.Page;
import ai.booth.contracts.Event;
import ai.booth.contracts.GenerationRequested;
import ai.booth.contracts.Topics;
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
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

import java.time.Instant;
import java.util.concurrent.CompletionStage;

/** Generations: images from a base model and optional LoRA adapters, single or as a grid. */
@Path("/api/v1/generations")
@Tag(name = "generations")
@Produces(MediaType.APPLICATION_JSON)
public class GenerationResource {

    private final GenerationRegistry registry;
    private final GenerationRequests requests;
    private final Caller caller;
    private final JobStarter starter;
    private final Links links;
    private final Emitter<Event<?>> requested;

    public GenerationResource(GenerationRegistry registry, GenerationRequests requests, Caller caller,
                              JobStarter starter, Links links,
                              @Channel(Topics.GENERATION_REQUESTED) Emitter<Event<?>> requested) {
        this.registry = registry;
        this.requests = requests;
        this.caller = caller;
        this.starter = starter;
        this.links = links;
        this.requested = requested;
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
        return starter.start("generations", idempotencyKey, spec, spec == null ? null : spec.callbackUrl(),
                registry.views(), (generationId, meta) -> {
                    String ownerId = caller.ownerId();
                    GenerationRequested request = requests.build(spec, generationId, ownerId);
                    Instant now = Instant.now();
                    return new JobStarter.Job<>(GenerationView.unknown(generationId, ownerId, now)
                            .requested(now, request, meta), Event.of(generationId, ownerId, request));
                }, requested, this::render);
    }

    @GET
    @Operation(summary = "Your generations, newest first: a gallery with every image's parameters")
    public Page<GenerationView> list(@QueryParam("offset") @DefaultValue("0") int offset,
                                     @QueryParam("limit") @DefaultValue("20") int limit) {
        Page.check(offset, limit);
        return registry.views().page(caller.ownerId(), offset, limit).map(this::render);
    }

    @GET
    @Path("/{generationId}")
    @Operation(summary = "A generation's status, parameters, and images (presigned URLs) or failure")
    @APIResponse(responseCode = "404", description = "no such generation of yours")
    public GenerationView get(@PathParam("generationId") String generationId) {
        return render(registry.find(generationId, caller.ownerId())
                .orElseThrow(() -> ProblemException.notFound("generation", generationId)));
    }

    private GenerationView render(GenerationView view) {
        return view.withUrls(links);
    }
}
