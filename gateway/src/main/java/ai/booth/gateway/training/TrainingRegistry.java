package ai.booth.gateway.training;

import ai.booth.gateway.job.JobMeta;
import ai.booth.gateway.job.Views;
import ai.booth.contracts.Event;
import ai.booth.contracts.TrainingCancelRequested;
import ai.booth.contracts.TrainingCompleted;
import ai.booth.contracts.TrainingFailed;
import ai.booth.contracts.TrainingProgress;
import ai.booth.contracts.TrainingRequested;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;
import java.util.function.UnaryOperator;

/** Trainings as the API shows them; a finished training ignores late progress reports. */
@ApplicationScoped
public class TrainingRegistry {

    private final Views<TrainingView> views = new Views<>();

    /** The views themselves (a method, not the field: callers hold a CDI proxy). */
    public Views<TrainingView> views() {
        return views;
    }

    public void requested(Event<TrainingRequested> event, JobMeta meta) {
        on(event, event.payload().trainingId(), view -> view.requested(event.occurredAt(), event.payload(), meta));
    }

    public void progress(Event<TrainingProgress> event) {
        on(event, event.payload().trainingId(), view -> view.reported(event.payload()));
    }

    public void completed(Event<TrainingCompleted> event) {
        on(event, event.payload().trainingId(), view -> view.completed(event.payload()));
    }

    public void failed(Event<TrainingFailed> event) {
        on(event, event.payload().trainingId(), view -> view.failed(event.payload()));
    }

    public void cancelRequested(Event<TrainingCancelRequested> event) {
        on(event, event.payload().trainingId(), TrainingView::cancelling);
    }

    public Optional<TrainingView> find(String trainingId, String ownerId) {
        return views.find(trainingId, ownerId);
    }

    private void on(Event<?> event, String trainingId, UnaryOperator<TrainingView> change) {
        views.update(trainingId, () -> TrainingView.unknown(trainingId, event.ownerId(), event.occurredAt()), change);
    }
}
