package ai.booth.gateway;

import ai.booth.contracts.TrainingCompleted;
import ai.booth.contracts.TrainingFailed;
import ai.booth.contracts.TrainingProgress;
import ai.booth.contracts.TrainingRequested;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;

/** Trainings as the API shows them; a finished training ignores late progress reports. */
@ApplicationScoped
public class TrainingRegistry {

    private final Views<TrainingView> views = new Views<>();

    void requested(String ownerId, TrainingRequested request) {
        views.update(request.trainingId(), TrainingView.unknown(request.trainingId(), ownerId), current ->
                new TrainingView(current.trainingId(), ownerId, current.status(), request, current.progress(),
                        current.result(), current.failure()));
    }

    void progress(String ownerId, TrainingProgress progress) {
        views.update(progress.trainingId(), TrainingView.unknown(progress.trainingId(), ownerId), current ->
                current.status().finished() ? current : new TrainingView(current.trainingId(), ownerId,
                        JobStatus.RUNNING, current.request(), progress, null, null));
    }

    void completed(String ownerId, TrainingCompleted result) {
        views.update(result.trainingId(), TrainingView.unknown(result.trainingId(), ownerId), current ->
                new TrainingView(current.trainingId(), ownerId, JobStatus.COMPLETED, current.request(),
                        current.progress(), result, null));
    }

    void failed(String ownerId, TrainingFailed failure) {
        views.update(failure.trainingId(), TrainingView.unknown(failure.trainingId(), ownerId), current ->
                new TrainingView(current.trainingId(), ownerId, JobStatus.FAILED, current.request(),
                        current.progress(), null, failure));
    }

    Optional<TrainingView> find(String trainingId, String ownerId) {
        return views.find(trainingId, ownerId);
    }
}
