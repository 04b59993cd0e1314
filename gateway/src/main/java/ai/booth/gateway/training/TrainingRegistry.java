package ai.booth.gateway.training;

import ai.booth.contracts.TrainingCancelRequested;
import ai.booth.contracts.TrainingCompleted;
import ai.booth.contracts.TrainingFailed;
import ai.booth.contracts.TrainingProgress;
import ai.booth.contracts.TrainingRequested;
import ai.booth.gateway.job.JobRegistry;
import jakarta.enterprise.context.ApplicationScoped;

/** Trainings as the API shows them; a finished training ignores late progress reports. */
@ApplicationScoped
public class TrainingRegistry extends JobRegistry<TrainingView> {

    TrainingRegistry() {
        super(TrainingView::unknown, new Transitions<TrainingView>()
                .on(TrainingCancelRequested.class, TrainingCancelRequested::trainingId,
                        (view, cancel) -> view.cancelling())
                .requested(TrainingRequested.class, TrainingRequested::trainingId, TrainingView::requested)
                .on(TrainingProgress.class, TrainingProgress::trainingId, TrainingView::reported)
                .on(TrainingCompleted.class, TrainingCompleted::trainingId, TrainingView::completed)
                .on(TrainingFailed.class, TrainingFailed::trainingId, TrainingView::failed));
    }
}
