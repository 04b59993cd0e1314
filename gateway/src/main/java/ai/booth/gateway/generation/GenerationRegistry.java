package ai.booth.gateway.generation;

import ai.booth.gateway.job.JobMeta;
import ai.booth.gateway.job.Views;
import ai.booth.contracts.Event;
import ai.booth.contracts.GenerationCompleted;
import ai.booth.contracts.GenerationFailed;
import ai.booth.contracts.GenerationRequested;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;
import java.util.function.UnaryOperator;

/** Generations as the API shows them. */
@ApplicationScoped
public class GenerationRegistry {

    private final Views<GenerationView> views = new Views<>();

    /** The views themselves (a method, not the field: callers hold a CDI proxy). */
    public Views<GenerationView> views() {
        return views;
    }

    public void requested(Event<GenerationRequested> event, JobMeta meta) {
        on(event, event.payload().generationId(), view -> view.requested(event.occurredAt(), event.payload(), meta));
    }

    public void completed(Event<GenerationCompleted> event) {
        on(event, event.payload().generationId(), view -> view.completed(event.payload()));
    }

    public void failed(Event<GenerationFailed> event) {
        on(event, event.payload().generationId(), view -> view.failed(event.payload()));
    }

    Optional<GenerationView> find(String generationId, String ownerId) {
        return views.find(generationId, ownerId);
    }

    private void on(Event<?> event, String id, UnaryOperator<GenerationView> change) {
        views.update(id, () -> GenerationView.unknown(id, event.ownerId(), event.occurredAt()), change);
    }
}
