package ai.booth.gateway.experiment;

import ai.booth.contracts.ExperimentRequested;
import ai.booth.gateway.job.JobRegistry;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Experiments as their request topic tells them, and which experiment each variant training and render belongs to
 * (for {@link ExperimentSteps}).
 */
@ApplicationScoped
public class ExperimentRegistry extends JobRegistry<ExperimentView> {

    /** Variant training ids and render generation ids → their experiment's id. */
    private final Map<String, String> members = new ConcurrentHashMap<>();

    ExperimentRegistry() {
        super(ExperimentView::unknown, new Transitions<ExperimentView>()
                .requested(ExperimentRequested.class, ExperimentRequested::experimentId, ExperimentView::requested));
        views().listen(view -> {
            ExperimentRequested request = view.request();
            if (request != null) {
                members.put(request.render().generationId(), view.experimentId());
                for (ExperimentRequested.Variant variant : request.variants()) {
                    String trainingId = variant.training().trainingId();
                    members.put(trainingId, view.experimentId());
                    members.put(ExperimentIds.render(view.experimentId(), trainingId), view.experimentId());
                }
            }
        });
    }

    /** The owner's experiment that a variant training or a render (by its job id) belongs to. */
    public Optional<ExperimentView> of(String jobId, String ownerId) {
        return Optional.ofNullable(members.get(jobId)).flatMap(id -> find(id, ownerId));
    }
}
