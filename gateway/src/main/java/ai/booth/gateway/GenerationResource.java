package ai.booth.gateway;

import ai.booth.contracts.Event;
import ai.booth.contracts.GenerationRequested;
import ai.booth.contracts.Topics;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

import java.util.UUID;
import java.util.concurrent.CompletionStage;

/** Generations: images from a base model and optional LoRA adapters. */
@Path("/api/v1/generations")
@Tag(name = "generations")
@Produces(MediaType.APPLICATION_JSON)
public class GenerationResource {

    private final GenerationRegistry registry;
    private final Emitter<Event<?>> requested;

    public GenerationResource(GenerationRegistry registry,
                              @Channel(Topics.GENERATION_REQUESTED) Emitter<Event<?>> requested) {
        this.registry = registry;
        this.requested = requested;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Render images", description = "Publishes GenerationRequested; sampler-service answers with"
            + " GenerationCompleted or GenerationFailed.")
    public CompletionStage<Response> create(@HeaderParam(Owners.HEADER) String ownerHeader, GenerationSpec spec) {
        String ownerId = Owners.require(ownerHeader);
        GenerationRequested request = Defaults.required(spec, "body").toRequest(UUID.randomUUID().toString());
        registry.requested(ownerId, request);
        return Accepted.afterPublishing(requested, Event.of(request.generationId(), ownerId, request),
                "/api/v1/generations/" + request.generationId(), registry.find(request.generationId(), ownerId).get());
    }

    @GET
    @Path("/{generationId}")
    @Operation(summary = "A generation's status, and images or failure")
    public GenerationView get(@HeaderParam(Owners.HEADER) String ownerHeader,
                              @PathParam("generationId") String generationId) {
        return registry.find(generationId, Owners.require(ownerHeader))
                .orElseThrow(() -> new NotFoundException("no generation " + generationId));
    }
}
