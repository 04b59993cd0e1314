package ai.booth.gateway;

import ai.booth.contracts.Event;
import ai.booth.contracts.GenerationCompleted;
import ai.booth.contracts.GenerationFailed;
import ai.booth.contracts.Topics;
import ai.booth.contracts.TrainingCompleted;
import ai.booth.contracts.TrainingFailed;
import ai.booth.contracts.TrainingProgress;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Reports from trainer-service and sampler-service, into the registries. */
@ApplicationScoped
public class JobEvents {

    private final TrainingRegistry trainings;
    private final GenerationRegistry generations;

    public JobEvents(TrainingRegistry trainings, GenerationRegistry generations) {
        this.trainings = trainings;
        this.generations = generations;
    }

    @Incoming(Topics.TRAINING_PROGRESS)
    void onTrainingProgress(Event<TrainingProgress> event) {
        trainings.progress(event.ownerId(), event.payload());
    }

    @Incoming(Topics.TRAINING_COMPLETED)
    void onTrainingCompleted(Event<TrainingCompleted> event) {
        trainings.completed(event.ownerId(), event.payload());
    }

    @Incoming(Topics.TRAINING_FAILED)
    void onTrainingFailed(Event<TrainingFailed> event) {
        trainings.failed(event.ownerId(), event.payload());
    }

    @Incoming(Topics.GENERATION_COMPLETED)
    void onGenerationCompleted(Event<GenerationCompleted> event) {
        generations.completed(event.ownerId(), event.payload());
    }

    @Incoming(Topics.GENERATION_FAILED)
    void onGenerationFailed(Event<GenerationFailed> event) {
        generations.failed(event.ownerId(), event.payload());
    }
}
