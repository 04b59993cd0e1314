package ai.booth.gateway.evaluation;

import ai.booth.contracts.EvaluationCompleted;
import ai.booth.contracts.EvaluationFailed;
import ai.booth.contracts.EvaluationRequested;
import ai.booth.gateway.job.JobRegistry;
import jakarta.enterprise.context.ApplicationScoped;

/** Evaluations as the API shows them, from their request and result topics. */
@ApplicationScoped
public class EvaluationRegistry extends JobRegistry<EvaluationView> {

    EvaluationRegistry() {
        super(EvaluationView::unknown, new Transitions<EvaluationView>()
                .requested(EvaluationRequested.class, EvaluationRequested::evaluationId, EvaluationView::requested)
                .on(EvaluationCompleted.class, EvaluationCompleted::evaluationId, EvaluationView::completed)
                .on(EvaluationFailed.class, EvaluationFailed::evaluationId, EvaluationView::failed));
    }
}
