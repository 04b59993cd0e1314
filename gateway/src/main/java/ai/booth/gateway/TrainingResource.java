package ai.booth.gateway;

import ai.booth.contracts.Event;
import ai.booth.contracts.Topics;
import ai.booth.contracts.TrainingRequested;
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

/** Trainings: a DreamBooth LoRA adapter learned from a ready dataset. */
@Path("/api/v1/trainings")
@Tag(name = "trainings")
@Produces(MediaType.APPLICATION_JSON)
public class TrainingResource {

    private final TrainingRegistry registry;
    private final Emitter<Event<?>> requested;

    public TrainingResource(TrainingRegistry registry,
                            @Channel(Topics.TRAINING_REQUESTED) Emitter<Event<?>> requested) {
        this.registry = registry;
        this.requested = requested;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Train a LoRA adapter", description = "Publishes TrainingRequested; trainer-service answers"
            + " with TrainingProgress, then TrainingCompleted or TrainingFailed.")
    public CompletionStage<Response> create(@HeaderParam(Owners.HEADER) String ownerHeader, TrainingSpec spec) {
        String ownerId = Owners.require(ownerHeader);
        TrainingRequested request = Defaults.required(spec, "body").toRequest(UUID.randomUUID().toString());
        registry.requested(ownerId, request);
        return Accepted.afterPublishing(requested, Event.of(request.trainingId(), ownerId, request),
                "/api/v1/trainings/" + request.trainingId(), registry.find(request.trainingId(), ownerId).get());
    }

    @GET
    @Path("/{trainingId}")
    @Operation(summary = "A training's status, latest progress, and adapter or failure")
    public TrainingView get(@HeaderParam(Owners.HEADER) String ownerHeader,
                            @PathParam("trainingId") String trainingId) {
        return registry.find(trainingId, Owners.require(ownerHeader))
                .orElseThrow(() -> new NotFoundException("no training " + trainingId));
    }
}
