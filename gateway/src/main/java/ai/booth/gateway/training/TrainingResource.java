package ai.booth.gateway.training;

import ai.booth.gateway.auth.Caller;
import ai.booth.gateway.http.Checks;
import ai.booth.gateway.http.ProblemException;
import ai.booth.gateway.job.Idempotency;
import ai.booth.gateway.job.JobStarter;
import ai.booth.gateway.job.Links;
import ai.booth.gateway.job.Page;
import ai.booth.contracts.Event;
import ai.booth.contracts.Topics;
import ai.booth.contracts.TrainingCancelRequested;
import ai.booth.contracts.TrainingRequested;
import ai.booth.service.EventMessages;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
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
import org.jboss.resteasy.reactive.RestStreamElementType;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Trainings: a DreamBooth LoRA adapter learned from a ready dataset. */
@Path("/api/v1/trainings")
@Tag(name = "trainings")
@Produces(MediaType.APPLICATION_JSON)
public class TrainingResource {

    /** A server-sent event at least this often, so proxies keep an idle stream open. */
    static final Duration HEARTBEAT = Duration.ofSeconds(15);

    private final TrainingRegistry registry;
    private final TrainingRequests requests;
    private final Caller caller;
    private final JobStarter starter;
    private final Links links;
    private final Emitter<Event<?>> requested;
    private final Emitter<Event<?>> cancel;

    public TrainingResource(TrainingRegistry registry, TrainingRequests requests, Caller caller,
                            JobStarter starter, Links links,
                            @Channel(Topics.TRAINING_REQUESTED) Emitter<Event<?>> requested,
                            @Channel(Topics.TRAINING_CANCEL_REQUESTED) Emitter<Event<?>> cancel) {
        this.registry = registry;
        this.requests = requests;
        this.caller = caller;
        this.starter = starter;
        this.links = links;
        this.requested = requested;
        this.cancel = cancel;
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
        return starter.start("trainings", idempotencyKey, spec, spec == null ? null : spec.callbackUrl(),
                registry.views(), (trainingId, meta) -> {
                    String ownerId = caller.ownerId();
                    TrainingRequested request = requests.build(spec, trainingId, ownerId);
                    Instant now = Instant.now();
                    return new JobStarter.Job<>(TrainingView.unknown(trainingId, ownerId, now)
                            .requested(now, request, meta), Event.of(trainingId, ownerId, request));
                }, requested, this::render);
    }

    @GET
    @Operation(summary = "Your trainings, newest first")
    public Page<TrainingView> list(@QueryParam("offset") @DefaultValue("0") int offset,
                                   @QueryParam("limit") @DefaultValue("20") int limit) {
        Page.check(offset, limit);
        return registry.views().page(caller.ownerId(), offset, limit).map(this::render);
    }

    @GET
    @Path("/{trainingId}")
    @Operation(summary = "A training's status, progress, loss curve, validation images, and adapter or failure")
    @APIResponse(responseCode = "404", description = "no such training of yours")
    public TrainingView get(@PathParam("trainingId") String trainingId) {
        return render(find(trainingId));
    }

    @POST
    @Path("/{trainingId}/cancel")
    @Operation(summary = "Stop a training", description = "Publishes TrainingCancelRequested; the trainer stops and"
            + " answers TrainingFailed with code CANCELLED.")
    @APIResponse(responseCode = "202", description = "cancel requested")
    @APIResponse(responseCode = "409", description = "the training has already finished")
    public CompletionStage<Response> cancel(@PathParam("trainingId") String trainingId) {
        TrainingView view = find(trainingId);
        if (view.status().finished()) {
            throw ProblemException.conflict("training-finished", "training '" + trainingId + "' is "
                    + view.status() + "; only a training that has not finished can be cancelled");
        }
        Event<TrainingCancelRequested> event = Event.of(trainingId, caller.ownerId(),
                new TrainingCancelRequested(trainingId, "cancelled through the API with key " + caller.key().id()));
        TrainingView cancelling = registry.views().update(trainingId, () -> view, TrainingView::cancelling);
        return EventMessages.send(cancel, event).thenApply(acked -> Response.accepted(render(cancelling))
                .location(URI.create("/api/v1/trainings/" + trainingId)).build());
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
        String ownerId = caller.ownerId();
        find(trainingId);
        return Multi.createFrom().emitter(emitter -> {
            boolean[] ended = {false};
            Consumer<TrainingView> send = view -> {
                synchronized (ended) { // Kafka, heartbeat and connect threads: one event at a time, none after the end
                    if (!ended[0]) {
                        emitter.emit(render(view));
                        if (view.status().finished()) {
                            ended[0] = true;
                            emitter.complete();
                        }
                    }
                }
            };
            Runnable stop = registry.views().listen(view -> {
                if (view.id().equals(trainingId)) {
                    send.accept(view);
                }
            });
            ScheduledFuture<?> heartbeat = Infrastructure.getDefaultWorkerPool().scheduleAtFixedRate(
                    () -> registry.find(trainingId, ownerId).ifPresent(send), HEARTBEAT.toMillis(),
                    HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
            emitter.onTermination(() -> {
                stop.run();
                heartbeat.cancel(false);
            });
            registry.find(trainingId, ownerId).ifPresent(send);
        });
    }

    private TrainingView find(String trainingId) {
        return registry.find(trainingId, caller.ownerId())
                .orElseThrow(() -> ProblemException.notFound("training", trainingId));
    }

    private TrainingView render(TrainingView view) {
        return view.withUrls(links);
    }
}
