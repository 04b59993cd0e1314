package ai.booth.trainer;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.Event;
import ai.booth.contracts.Topics;
import ai.booth.contracts.TrainingFailed;
import ai.booth.contracts.TrainingRequested;
import ai.booth.service.EventMessages;
import ai.booth.service.ObjectStore;
import ai.booth.service.SeenEvents;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * Admits training requests: checks the fields, that the dataset is ready and that the base model is installed.
 * This build has no training engine wired in, so an admissible request ends as TrainingFailed(ENGINE_UNAVAILABLE).
 */
@ApplicationScoped
public class TrainingRequests {

    private static final Logger LOG = Logger.getLogger(TrainingRequests.class);

    private final ObjectStore store;
    private final SeenEvents seen;
    private final Emitter<Event<?>> failed;

    public TrainingRequests(ObjectStore store, SeenEvents seen,
                            @Channel(Topics.TRAINING_FAILED) Emitter<Event<?>> failed) {
        this.store = store;
        this.seen = seen;
        this.failed = failed;
    }

    @Incoming(Topics.TRAINING_REQUESTED)
    @Blocking(ordered = false)
    void onRequested(Event<TrainingRequested> event) {
        if (!seen.firstTime(event)) {
            return;
        }
        TrainingRequested request = event.payload();
        TrainingFailed outcome = admit(event.ownerId(), request);
        LOG.infof("training %s of %s: %s", request.trainingId(), event.ownerId(), outcome.code());
        EventMessages.send(failed, event.next(outcome)).toCompletableFuture().join();
    }

    private TrainingFailed admit(String ownerId, TrainingRequested request) {
        List<String> problems = TrainingRequestCheck.problems(request);
        if (!problems.isEmpty()) {
            return failure(request, "INVALID_REQUEST", String.join("; ", problems));
        }
        if (!store.hasPrefix(Buckets.DATASETS, Buckets.datasetRawPrefix(ownerId, request.datasetId()))) {
            return failure(request, "DATASET_NOT_READY", "dataset " + request.datasetId() + " of " + ownerId
                    + " has no checked images");
        }
        if (!store.hasPrefix(Buckets.MODELS, Buckets.modelPrefix(request.baseModel()))) {
            return failure(request, "MODEL_NOT_FOUND", "base model '" + request.baseModel() + "' is not in bucket "
                    + Buckets.MODELS);
        }
        return failure(request, "ENGINE_UNAVAILABLE", "this trainer-service build has no training engine");
    }

    private static TrainingFailed failure(TrainingRequested request, String code, String message) {
        return new TrainingFailed(request.trainingId(), code, message, null);
    }
}
