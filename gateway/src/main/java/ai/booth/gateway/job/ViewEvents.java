package ai.booth.gateway.job;

import ai.booth.gateway.dataset.DatasetRegistry;
import ai.booth.gateway.generation.GenerationRegistry;
import ai.booth.gateway.training.TrainingRegistry;
import ai.booth.contracts.DatasetIngested;
import ai.booth.contracts.DatasetReady;
import ai.booth.contracts.DatasetRejected;
import ai.booth.contracts.Event;
import ai.booth.contracts.GenerationCompleted;
import ai.booth.contracts.GenerationFailed;
import ai.booth.contracts.GenerationRequested;
import ai.booth.contracts.TrainingCancelRequested;
import ai.booth.contracts.TrainingCompleted;
import ai.booth.contracts.TrainingFailed;
import ai.booth.contracts.TrainingProgress;
import ai.booth.contracts.TrainingRequested;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Every request and result topic, into the registries. Each channel reads its topic from the beginning on every
 * start (see application.properties), so the views are the same after a restart; replays are harmless because every
 * update is idempotent. Request events carry the gateway's {@link JobMeta} as record headers.
 */
@ApplicationScoped
public class ViewEvents {

    private final DatasetRegistry datasets;
    private final TrainingRegistry trainings;
    private final GenerationRegistry generations;

    public ViewEvents(DatasetRegistry datasets, TrainingRegistry trainings, GenerationRegistry generations) {
        this.datasets = datasets;
        this.trainings = trainings;
        this.generations = generations;
    }

    @Incoming("view-dataset-ingested")
    void datasetIngested(ConsumerRecord<String, Event<DatasetIngested>> record) {
        datasets.ingested(record.value(), JobMeta.from(record.headers()));
    }

    @Incoming("view-dataset-ready")
    void datasetReady(Event<DatasetReady> event) {
        datasets.ready(event);
    }

    @Incoming("view-dataset-rejected")
    void datasetRejected(Event<DatasetRejected> event) {
        datasets.rejected(event);
    }

    @Incoming("view-training-requested")
    void trainingRequested(ConsumerRecord<String, Event<TrainingRequested>> record) {
        trainings.requested(record.value(), JobMeta.from(record.headers()));
    }

    @Incoming("view-training-cancel-requested")
    void trainingCancelRequested(Event<TrainingCancelRequested> event) {
        trainings.cancelRequested(event);
    }

    @Incoming("view-training-progress")
    void trainingProgress(Event<TrainingProgress> event) {
        trainings.progress(event);
    }

    @Incoming("view-training-completed")
    void trainingCompleted(Event<TrainingCompleted> event) {
        trainings.completed(event);
    }

    @Incoming("view-training-failed")
    void trainingFailed(Event<TrainingFailed> event) {
        trainings.failed(event);
    }

    @Incoming("view-generation-requested")
    void generationRequested(ConsumerRecord<String, Event<GenerationRequested>> record) {
        generations.requested(record.value(), JobMeta.from(record.headers()));
    }

    @Incoming("view-generation-completed")
    void generationCompleted(Event<GenerationCompleted> event) {
        generations.completed(event);
    }

    @Incoming("view-generation-failed")
    void generationFailed(Event<GenerationFailed> event) {
        generations.failed(event);
    }
}
