package ai.booth.gateway.training;

import ai.booth.gateway.job.Idempotency;
import ai.booth.gateway.job.Page;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
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
import org.jboss.resteasy.reactive.RestStreamElementType;

import java.util.concurrent.CompletionStage;

/** Trainings: a DreamBooth LoRA adapter learned from a ready dataset. */
@Path("/api/v1/trainings")
@Tag(name = "trainings")
@Produces(MediaType.APPLICATION_JSON)
public class TrainingResource {

    private final TrainingService trainings;

    public TrainingResource(TrainingService trainings) {
        this.trainings = trainings;
    }

    @POST
    @Blocking
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Train a LoRA adapter", description = "Checks every field, applies the defaults and"
            + " publishes TrainingRequested; trainer-service answers with TrainingProgress, then TrainingCompleted"
            + " or TrainingFailed. With an Idempotency-Key, the same key and body answer 200 with the same job.")
    @APIResponse(responseCode = "202", description = "requested")
    @APIResponse(responseCode = "200", description = "the training this Idempotency-Key created before")
    @APIResponse(responseCode = "400", description = "invalid fields, each named in errors")
    @APIResponse(responseCode = "409", description = "the Idempotency-Key was used with another body")
    @APIResponse(responseCode = "429", description = "rate limit of the API key; see Retry-After")
    public CompletionStage<Response> create(@HeaderParam(Idempotency.HEADER) String idempotencyKey,
                                            TrainingSpec spec) {
        return trainings.create(idempotencyKey, spec);
    }

    @GET
    @Operation(summary = "Your trainings, newest first")
    public Page<TrainingView> list(@QueryParam("offset") @DefaultValue("0") int offset,
                                   @QueryParam("limit") @DefaultValue("20") int limit) {
        return trainings.list(offset, limit);
    }

    @GET
    @Path("/{trainingId}")
    @Operation(summary = "A training's status, progress, loss curve, validation images, and adapter or failure")
    @APIResponse(responseCode = "404", description = "no such training of yours")
    public TrainingView get(@PathParam("trainingId") String trainingId) {
        return trainings.get(trainingId);
    }

    @POST
    @Path("/{trainingId}/cancel")
    @Operation(summary = "Stop a training", description = "Publishes TrainingCancelRequested; the trainer stops and"
            + " answers TrainingFailed with code CANCELLED.")
    @APIResponse(responseCode = "202", description = "cancel requested")
    @APIResponse(responseCode = "409", description = "the training has already finished")
    public CompletionStage<Response> cancel(@PathParam("trainingId") String trainingId) {
        return trainings.cancel(trainingId);
    }

    @GET
    @Path("/{trainingId}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Operation(summary = "Follow a training as server-sent events", description = "Each event is the training as"
            + " GET returns it: first its current state, then one per progress report (and every 15 s); the stream"
            + " ends after the COMPLETED or FAILED event.")
    @APIResponse(responseCode = "404", description = "no such training of yours")
    public Multi<TrainingView> events(@PathParam("trainingId") String trainingId) {
        return trainings.follow(trainingId);
    }
}
