package ai.booth.gateway.experiment;

import ai.booth.contracts.Event;
import ai.booth.contracts.ExperimentRequested;
import ai.booth.contracts.Topics;
import ai.booth.contracts.TrainingRequested;
import ai.booth.gateway.auth.Caller;
import ai.booth.gateway.evaluation.EvaluationRegistry;
import ai.booth.gateway.evaluation.EvaluationView;
import ai.booth.gateway.generation.GenerationRegistry;
import ai.booth.gateway.generation.GenerationService;
import ai.booth.gateway.generation.GenerationView;
import ai.booth.gateway.job.JobMeta;
import ai.booth.gateway.job.JobQuota;
import ai.booth.gateway.job.JobStarter;
import ai.booth.gateway.job.JobStatus;
import ai.booth.gateway.job.RequestedJobService;
import ai.booth.gateway.job.ViewHistory;
import ai.booth.gateway.training.TrainingRegistry;
import ai.booth.gateway.training.TrainingView;
import ai.booth.service.EventMessages;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Experiments as a job kind: a checked {@link ExperimentSpec} publishes each variant's training and the base model's
 * render as ordinary jobs, then ExperimentRequested; {@link ExperimentSteps} renders and scores each variant once
 * trained. Shown with a row per variant gathered from those jobs' views.
 */
@Singleton // not a client proxy: JobService has no no-args constructor, and nothing here needs laziness
public class ExperimentService extends RequestedJobService<ExperimentSpec, ExperimentRequested, ExperimentView> {

    static final String BASE_ROW = "base model";

    private final ExperimentRequests requests;
    private final TrainingRegistry trainings;
    private final GenerationRegistry generations;
    private final GenerationService generationViews;
    private final EvaluationRegistry evaluations;
    private final JobQuota quota;
    private final Emitter<Event<?>> trainingRequests;
    private final Emitter<Event<?>> generationRequests;

    public ExperimentService(ExperimentRegistry registry, ExperimentRequests requests, Caller caller,
                             JobStarter starter, ViewHistory history, TrainingRegistry trainings,
                             GenerationRegistry generations, GenerationService generationViews,
                             EvaluationRegistry evaluations, JobQuota quota,
                             @Channel(Topics.EXPERIMENT_REQUESTED) Emitter<Event<?>> requested,
                             @Channel(Topics.TRAINING_REQUESTED) Emitter<Event<?>> trainingRequests,
                             @Channel(Topics.GENERATION_REQUESTED) Emitter<Event<?>> generationRequests) {
        super("experiments", "experiment", registry, caller, starter, history, requested);
        this.requests = requests;
        this.trainings = trainings;
        this.generations = generations;
        this.generationViews = generationViews;
        this.evaluations = evaluations;
        this.quota = quota;
        this.trainingRequests = trainingRequests;
        this.generationRequests = generationRequests;
    }

    /** Checks the spec and publishes its jobs (each variant's training, the base model's render). */
    @Override
    protected ExperimentRequested request(ExperimentSpec spec, String id, String ownerId) {
        ExperimentRequested request = requests.build(spec, id, ownerId);
        // its trainings count against the owner's quota of unfinished trainings, as if requested one by one
        quota.check(caller().key(), "trainings", trainings.views(), request.variants().size());
        for (ExperimentRequested.Variant variant : request.variants()) {
            TrainingRequested training = variant.training();
            EventMessages.send(trainingRequests, Event.of(training.trainingId(), ownerId, training))
                    .toCompletableFuture().join();
        }
        EventMessages.send(generationRequests, Event.of(request.render().generationId(), ownerId, request.render()))
                .toCompletableFuture().join();
        return request;
    }

    @Override
    protected ExperimentView requested(String id, String ownerId, Instant at, ExperimentRequested request,
                                       JobMeta meta) {
        return ExperimentView.unknown(id, ownerId, at).requested(at, request, meta);
    }

    @Override
    protected String callbackUrl(ExperimentSpec spec) {
        return null;
    }

    /** The view with its rows gathered from the jobs' views as they are now. */
    @Override
    public ExperimentView render(ExperimentView view) {
        ExperimentRequested request = view.request();
        if (request == null) {
            return view;
        }
        List<ExperimentView.Row> rows = new ArrayList<>();
        rows.add(row(view, BASE_ROW, null, request.render().generationId()));
        for (ExperimentRequested.Variant variant : request.variants()) {
            String trainingId = variant.training().trainingId();
            rows.add(row(view, variant.label(), trainings.find(trainingId, view.ownerId()).orElse(null),
                    ExperimentIds.render(view.experimentId(), trainingId)));
        }
        boolean failed = rows.stream().anyMatch(r -> r.trainingStatus() == JobStatus.FAILED
                || r.renderStatus() == JobStatus.FAILED);
        // a render is scored, or its evaluation failed (no encoders installed: the row's note says how to)
        boolean done = rows.stream().allMatch(r -> r.renderStatus() == JobStatus.COMPLETED
                && (r.scores() != null || r.failure() != null));
        JobStatus status = failed ? JobStatus.FAILED : done ? JobStatus.COMPLETED
                : rows.stream().anyMatch(r -> r.trainingStatus() != null && r.trainingStatus() != JobStatus.REQUESTED)
                ? JobStatus.RUNNING : JobStatus.REQUESTED;
        return view.shown(status, rows);
    }

    private ExperimentView.Row row(ExperimentView view, String label, TrainingView training, String generationId) {
        Optional<GenerationView> render = generations.find(generationId, view.ownerId()).map(generationViews::render);
        Optional<EvaluationView> evaluation = evaluations.find(
                ExperimentIds.evaluation(view.experimentId(), generationId), view.ownerId());
        String failure = training != null && training.failure() != null
                ? "training: " + training.failure().code() + " " + training.failure().message()
                : render.map(GenerationView::failure).map(f -> "render: " + f.code() + " " + f.message())
                .or(() -> evaluation.map(EvaluationView::failure).map(f -> "evaluation: " + f.code() + " "
                        + f.message()))
                .orElse(null);
        var result = training == null ? null : training.result();
        TrainingRequested asked = training == null ? null : training.request();
        return new ExperimentView.Row(label, training == null ? null : training.trainingId(),
                asked == null ? null : asked.mode(), asked == null || asked.fullFineTune() ? null : asked.rank(),
                training == null ? null : training.status(), training == null ? null : training.percent(),
                result == null ? null : result.steps(), result == null ? null : result.durationMillis(),
                result == null || result.durationMillis() <= 0 ? null
                        : result.steps() * 1000.0 / result.durationMillis(),
                result == null ? null : result.finalLoss(), generationId,
                render.map(GenerationView::status).orElse(training == null || result != null
                        ? JobStatus.REQUESTED : null),
                render.map(GenerationView::grid).orElse(null), render.map(GenerationView::images).orElse(List.of()),
                evaluation.map(EvaluationView::scores).orElse(null),
                evaluation.map(EvaluationView::diversity).orElse(null), failure);
    }
}
