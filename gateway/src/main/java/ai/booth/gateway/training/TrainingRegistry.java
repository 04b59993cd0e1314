package ai.booth.gateway.training;

import ai.booth.contracts.Event;
import ai.booth.contracts.TrainingCancelRequested;
import ai.booth.contracts.TrainingCompleted;
import ai.booth.contracts.TrainingFailed;
import ai.booth.contracts.TrainingProgress;
import ai.booth.contracts.TrainingRequested;
import ai.booth.gateway.job.JobRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Trainings as the API shows them; a finished training ignores late progress reports. */
@ApplicationScoped
public class TrainingRegistry extends JobRegistry<TrainingView> {

    @Override
    protected TrainingView initial(String id, Event<?> event) {
        return TrainingView.unknown(id, event.ownerId(), event.occurredAt());
    }

    @Incoming("view-training-requested")
    void requested(ConsumerRecord<String, Event<TrainingRequested>> record) {
        onRequested(record, record.value().payload().trainingId(), TrainingView::requested);
    }

    @Incoming("view-training-progress")
    void progress(Event<TrainingProgress> event) {
        on(event, event.payload().trainingId(), view -> view.reported(event.payload()));
    }

    @Incoming("view-training-completed")
    void completed(Event<TrainingCompleted> event) {
        on(event, event.payload().trainingId(), view -> view.completed(event.payload()));
    }

    @Incoming("view-training-failed")
    void failed(Event<TrainingFailed> event) {
        on(event, event.payload().trainingId(), view -> view.failed(event.payload()));
    }

    @Incoming("view-training-cancel-requested")
    void cancelRequested(Event<TrainingCancelRequested> event) {
        on(event, event.payload().trainingId(), TrainingView::cancelling);
    }
}
