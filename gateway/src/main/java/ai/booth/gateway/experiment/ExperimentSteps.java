package ai.booth.gateway.experiment;

import ai.booth.contracts.Event;
import ai.booth.contracts.EvaluationRequested;
import ai.booth.contracts.ExperimentRequested;
import ai.booth.contracts.GenerationCompleted;
import ai.booth.contracts.GenerationRequested;
import ai.booth.contracts.LoraRef;
import ai.booth.contracts.Payload;
import ai.booth.contracts.Topics;
import ai.booth.contracts.TrainingCompleted;
import ai.booth.contracts.TrainingRequested;
import ai.booth.contracts.rules.GenerationRules;
import ai.booth.gateway.dataset.DatasetRegistry;
import ai.booth.gateway.dataset.DatasetView;
import ai.booth.gateway.evaluation.EvaluationRequests;
import ai.booth.gateway.job.ViewHistory;
import ai.booth.service.EventMessages;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * Moves experiments on (channel {@value #CHANNEL}: the completion topics in ONE group shared by all gateway
 * replicas, so each completion is acted on once): a variant's training completed → its render (the base model's
 * render with the variant's LoRA, or its model for a full fine-tune, or its embedding for textual inversion); an
 * experiment's render completed → its evaluation against the dataset's photos (without encoders installed, the
 * sampler's ENCODERS_NOT_INSTALLED answer is the row's note, saying how to install them). The
 * follow-up jobs' ids derive from what they follow ({@link ExperimentIds}): acting twice on a completion (a crash
 * before the offset was committed) publishes the same job again, which the workers answer from its stored result.
 */
@ApplicationScoped
public class ExperimentSteps {

    static final String CHANNEL = "experiment-steps";

    private static final Logger LOG = Logger.getLogger(ExperimentSteps.class);
    /** How long a completion waits for the views to read the experiments published before it. */
    private static final Duration VIEWS_LAG = Duration.ofSeconds(30);

    private final ExperimentRegistry experiments;
    private final DatasetRegistry datasets;
    private final ViewHistory history;
    private final Emitter<Event<?>> generationRequests;
    private final Emitter<Event<?>> evaluationRequests;

    public ExperimentSteps(ExperimentRegistry experiments, DatasetRegistry datasets, ViewHistory history,
                           @Channel(Topics.GENERATION_REQUESTED) Emitter<Event<?>> generationRequests,
                           @Channel(Topics.EVALUATION_REQUESTED) Emitter<Event<?>> evaluationRequests) {
        this.experiments = experiments;
        this.datasets = datasets;
        this.history = history;
        this.generationRequests = generationRequests;
        this.evaluationRequests = evaluationRequests;
    }

    @Incoming(CHANNEL)
    @Blocking
    void onCompleted(Event<?> event) throws InterruptedException {
        awaitHistory(); // the experiments must be read before a completion can be matched to one
        Payload payload = event.payload();
        if (payload instanceof TrainingCompleted trained) {
            experimentOf(trained.trainingId(), event.ownerId())
                    .ifPresent(experiment -> render(event, experiment.request(), trained));
        } else if (payload instanceof GenerationCompleted rendered) {
            experimentOf(rendered.generationId(), event.ownerId())
                    .ifPresent(experiment -> evaluate(event, experiment.request(), rendered));
        }
    }

    /**
     * The experiment a job belongs to. An experiment is published before its jobs, but another consumer (the views)
     * reads it: a job the views do not place yet is looked up again once they have read every experiment published
     * until now — the completion may have overtaken its experiment.
     */
    private Optional<ExperimentView> experimentOf(String jobId, String ownerId) throws InterruptedException {
        Optional<ExperimentView> found = experiments.of(jobId, ownerId);
        if (found.isPresent() || !history.awaitRead(Topics.EXPERIMENT_REQUESTED, VIEWS_LAG)) {
            return found;
        }
        return experiments.of(jobId, ownerId);
    }

    /** The variant's render: the base model's grid with what the training made. */
    private void render(Event<?> event, ExperimentRequested experiment, TrainingCompleted trained) {
        TrainingRequested training = experiment.variants().stream().map(ExperimentRequested.Variant::training)
                .filter(t -> t.trainingId().equals(trained.trainingId())).findFirst().orElseThrow();
        GenerationRequested base = experiment.render();
        String id = ExperimentIds.render(experiment.experimentId(), training.trainingId());
        String model = trained.modelId() != null ? trained.modelId() : base.baseModel();
        List<LoraRef> loras = trained.modelId() != null || training.textualInversion() ? List.of()
                : List.of(new LoraRef(trained.adapterKey(), GenerationRules.DEFAULT_LORA_SCALE,
                GenerationRules.DEFAULT_LORA_SCALE));
        List<String> embeddings = training.textualInversion() && trained.embeddingKey() != null
                ? List.of(trained.embeddingKey()) : List.of();
        GenerationRequested render = new GenerationRequested(id, model, base.prompt(), base.negativePrompt(),
                base.steps(), base.guidanceScale(), base.seed(), base.count(), base.width(), base.height(),
                base.scheduler(), base.clipSkip(), loras, base.grid(), List.of(), embeddings);
        LOG.infof("experiment %s of %s: variant %s trained, rendering it as %s", experiment.experimentId(),
                event.ownerId(), training.trainingId(), id);
        EventMessages.send(generationRequests, Event.of(id, event.ownerId(), render)).toCompletableFuture().join();
    }

    /** The render's evaluation against the dataset's photos, the subject's tokens removed from its prompts. */
    private void evaluate(Event<?> event, ExperimentRequested experiment, GenerationCompleted rendered) {
        List<String> real = datasets.find(experiment.datasetId(), event.ownerId())
                .map(DatasetView::imageKeys).orElse(List.of());
        if (real.isEmpty()) {
            LOG.warnf("experiment %s: dataset %s has no images to score against", experiment.experimentId(),
                    experiment.datasetId());
            return;
        }
        GenerationRequested grid = experiment.render();
        List<EvaluationRequested.ScoredImage> images = IntStream.range(0, rendered.images().size())
                .mapToObj(i -> new EvaluationRequested.ScoredImage(rendered.images().get(i).key(),
                        EvaluationRequests.prompt(grid, i))).toList();
        List<String> tokens = experiment.variants().get(0).training().subjectTokens();
        String id = ExperimentIds.evaluation(experiment.experimentId(), rendered.generationId());
        EventMessages.send(evaluationRequests, Event.of(id, event.ownerId(),
                new EvaluationRequested(id, images, real, tokens))).toCompletableFuture().join();
    }

    private void awaitHistory() throws InterruptedException {
        while (true) {
            try {
                if (history.behind().isEmpty()) {
                    return;
                }
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                LOG.debugf("job history not readable yet: %s", e.getMessage());
            }
            Thread.sleep(500);
        }
    }
}
