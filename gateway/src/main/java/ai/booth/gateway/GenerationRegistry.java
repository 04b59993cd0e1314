package ai.booth.gateway;

import ai.booth.contracts.GenerationCompleted;
import ai.booth.contracts.GenerationFailed;
import ai.booth.contracts.GenerationRequested;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;

/** Generations as the API shows them. */
@ApplicationScoped
public class GenerationRegistry {

    private final Views<GenerationView> views = new Views<>();

    void requested(String ownerId, GenerationRequested request) {
        views.update(request.generationId(), GenerationView.unknown(request.generationId(), ownerId), current ->
                new GenerationView(current.generationId(), ownerId, current.status(), request, current.result(),
                        current.failure()));
    }

    void completed(String ownerId, GenerationCompleted result) {
        views.update(result.generationId(), GenerationView.unknown(result.generationId(), ownerId), current ->
                new GenerationView(current.generationId(), ownerId, JobStatus.COMPLETED, current.request(), result,
                        null));
    }

    void failed(String ownerId, GenerationFailed failure) {
        views.update(failure.generationId(), GenerationView.unknown(failure.generationId(), ownerId), current ->
                new GenerationView(current.generationId(), ownerId, JobStatus.FAILED, current.request(), null,
                        failure));
    }

    Optional<GenerationView> find(String generationId, String ownerId) {
        return views.find(generationId, ownerId);
    }
}
