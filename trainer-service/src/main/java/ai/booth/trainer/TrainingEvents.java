package ai.booth.trainer;

import ai.booth.contracts.Event;
import ai.booth.contracts.Topics;
import ai.booth.contracts.TrainingCompleted;
import ai.booth.contracts.TrainingFailed;
import ai.booth.contracts.TrainingProgress;
import ai.booth.service.EventMessages;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

/** Publishes the trainer's events, each on its topic, waiting for Kafka's acknowledgement. */
@ApplicationScoped
public class TrainingEvents {

    private final Emitter<Event<?>> progress;
    private final Emitter<Event<?>> completed;
    private final Emitter<Event<?>> failed;

    public TrainingEvents(@Channel(Topics.TRAINING_PROGRESS) Emitter<Event<?>> progress,
                          @Channel(Topics.TRAINING_COMPLETED) Emitter<Event<?>> completed,
                          @Channel(Topics.TRAINING_FAILED) Emitter<Event<?>> failed) {
        this.progress = progress;
        this.completed = completed;
        this.failed = failed;
    }

    void publish(Event<?> event) {
        Emitter<Event<?>> emitter = event.payload() instanceof TrainingProgress ? progress
                : event.payload() instanceof TrainingCompleted ? completed
                : event.payload() instanceof TrainingFailed ? failed : null;
        if (emitter == null) {
            throw new IllegalArgumentException("not a trainer event: " + event.type());
        }
        EventMessages.deliver(emitter, event); // an outcome is stored by then: it must not be lost
    }
}
