package ai.booth.gateway.training;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.Event;
import ai.booth.contracts.Topics;
import ai.booth.contracts.TrainingCancelRequested;
import ai.booth.contracts.TrainingRequested;
import ai.booth.gateway.auth.Caller;
import ai.booth.gateway.http.ProblemException;
import ai.booth.gateway.job.Accepted;
import ai.booth.gateway.job.JobMeta;
import ai.booth.gateway.job.JobStatus;
import ai.booth.gateway.job.RequestedJobService;
import ai.booth.gateway.job.JobStarter;
import ai.booth.gateway.job.Links;
import ai.booth.gateway.job.ViewHistory;
import ai.booth.gateway.job.StreamSlots;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.inject.Singleton;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Trainings as a job kind (a checked {@link TrainingSpec} becomes TrainingRequested), plus cancel and follow. */
@Singleton // not a client proxy: JobService has no no-args constructor, and nothing here needs laziness
public class TrainingService extends RequestedJobService<TrainingSpec, TrainingRequested, TrainingView> {

    /** A server-sent event at least this often, so proxies keep an idle stream open. */
    static final Duration HEARTBEAT = Duration.ofSeconds(15);

    private final TrainingRegistry registry;
    private final TrainingRequests requests;
    private final Links links;
    private final Emitter<Event<?>> cancel;
    private final StreamSlots streams;

    public TrainingService(TrainingRegistry registry, TrainingRequests requests, Caller caller, JobStarter starter,
                           ViewHistory history, Links links, @Channel(Topics.TRAINING_REQUESTED) Emitter<Event<?>> requested,
                           @Channel(Topics.TRAINING_CANCEL_REQUESTED) Emitter<Event<?>> cancel,
                           StreamSlots streams) {
        super("trainings", "training", registry, caller, starter, history, requested);
        this.registry = registry;
        this.requests = requests;
        this.links = links;
        this.cancel = cancel;
        this.streams = streams;
    }

    @Override
    protected TrainingRequested request(TrainingSpec spec, String id, String ownerId) {
        return requests.build(spec, id, ownerId);
    }

    @Override
    protected TrainingView requested(String id, String ownerId, Instant at, TrainingRequested request,
                                     JobMeta meta) {
        return TrainingView.unknown(id, ownerId, at).requested(at, request, meta);
    }

    @Override
    protected String callbackUrl(TrainingSpec spec) {
        return spec.callbackUrl();
    }

    @Override
    public TrainingView render(TrainingView view) {
        return view.withUrls(links);
    }

    /** Publishes TrainingCancelRequested for an unfinished training (409 once it has finished). */
    public CompletionStage<Response> cancel(String trainingId) {
        TrainingView view = find(trainingId);
        if (view.status().finished()) {
            throw ProblemException.conflict("training-finished", "training '" + trainingId + "' is "
                    + view.status() + "; only a training that has not finished can be cancelled");
        }
        Event<TrainingCancelRequested> event = Event.of(trainingId, caller().ownerId(),
                new TrainingCancelRequested(trainingId, "cancelled through the API with key " + caller().key().id()));
        TrainingView cancelling = registry.views().update(trainingId, () -> view, TrainingView::cancelling);
        return Accepted.afterPublishing(cancel, event, "/api/v1/trainings/" + trainingId, render(cancelling));
    }

    /**
     * Where a completed full fine-tune's model downloads as one A1111 / civitai checkpoint (the trainer's single
     * file): a short-lived presigned URL named after the model. 404 for any other training.
     */
    public URI modelDownload(String trainingId) {
        TrainingView view = find(trainingId);
        if (view.status() != JobStatus.COMPLETED || view.result().modelId() == null) {
            throw ProblemException.of(Response.Status.NOT_FOUND, "training '" + trainingId + "' made no model: only"
                    + " a COMPLETED full fine-tune (mode full) does; it is " + view.status()
                    + (view.status() == JobStatus.COMPLETED ? ", an adapter (GET /api/v1/adapters/" + trainingId + ")"
                    : ""));
        }
        String modelId = view.result().modelId();
        return URI.create(links.url(Buckets.ADAPTERS, caller().ownerId(), view.result().adapterKey(),
                Map.of("response-content-disposition", "attachment; filename=\"" + modelId + ".safetensors\"")));
    }

    /** The training now, then after every change (and every {@link #HEARTBEAT}) until it has finished. */
    public Multi<TrainingView> follow(String trainingId) {
        String ownerId = caller().ownerId();
        find(trainingId);
        Runnable release = streams.take(caller().key());
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
                release.run();
                stop.run();
                heartbeat.cancel(false);
            });
            registry.find(trainingId, ownerId).ifPresent(send);
        });
    }
}
