package ai.booth.gateway;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * The gateway's in-memory read model of one kind of job (datasets, trainings, generations), fed by the events it
 * sends and receives. On start the gateway replays the result topics (see application.properties), so finished jobs
 * survive a restart; jobs still running at a restart reappear with their next event.
 */
final class Views<V extends Views.Owned> {

    /** A view knows its owner: other owners' jobs are invisible (404), not forbidden. */
    interface Owned {
        String ownerId();
    }

    private final Map<String, V> views = new ConcurrentHashMap<>();

    /** Applies {@code change} to the current view, or to {@code initial} if there is none yet. */
    void update(String id, V initial, UnaryOperator<V> change) {
        views.compute(id, (key, current) -> change.apply(current == null ? initial : current));
    }

    Optional<V> find(String id, String ownerId) {
        return Optional.ofNullable(views.get(id)).filter(view -> view.ownerId().equals(ownerId));
    }
}
