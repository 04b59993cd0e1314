package ai.booth.gateway.job;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The gateway's in-memory read model of one kind of job (datasets, trainings, generations), an event-sourced view:
 * every change comes from an event the gateway sent or received, and on start the gateway replays every request
 * and result topic from the beginning (see application.properties), so all jobs, running or finished, survive a
 * restart. Changes are applied in place per id and announced to listeners (server-sent events, webhooks).
 */
public final class Views<V extends Views.Job> {

    /** A view knows its job, owner and age: other owners' jobs are invisible (404), never forbidden. */
    public interface Job {
        String id();

        String ownerId();

        Instant createdAt();

        /** Creating key, callback and request hash, from the request event's headers. */
        JobMeta meta();

        /** Whether the job ended: unfinished jobs count against the owner's {@link JobQuota}. */
        boolean finished();
    }

    private static final Comparator<Job> NEWEST_FIRST = Comparator.comparing(Job::createdAt).reversed()
            .thenComparing(Job::id);

    private final Map<String, V> views = new ConcurrentHashMap<>();
    private final List<Consumer<V>> listeners = new CopyOnWriteArrayList<>();

    /** Applies {@code change} to the current view, or to {@code initial} if there is none yet; tells listeners. */
    public V update(String id, Supplier<V> initial, UnaryOperator<V> change) {
        V updated = views.compute(id, (key, current) -> change.apply(current == null ? initial.get() : current));
        listeners.forEach(listener -> listener.accept(updated));
        return updated;
    }

    /** Stores {@code fresh} unless a view of this id exists; answers the existing one, or empty if stored. */
    Optional<V> claim(V fresh) {
        V existing = views.putIfAbsent(fresh.id(), fresh);
        if (existing == null) {
            listeners.forEach(listener -> listener.accept(fresh));
        }
        return Optional.ofNullable(existing);
    }

    public Optional<V> find(String id, String ownerId) {
        return get(id).filter(view -> view.ownerId().equals(ownerId));
    }

    void remove(String id) {
        views.remove(id);
    }

    /** Any owner's view: for the gateway itself (webhooks), never for answers to a caller. */
    Optional<V> get(String id) {
        return Optional.ofNullable(views.get(id));
    }

    /** One page of an owner's jobs, newest first. */
    public Page<V> page(String ownerId, int offset, int limit) {
        return page(ownerId, view -> true, offset, limit);
    }

    /** One page of those of an owner's jobs that pass {@code filter}, newest first. */
    public Page<V> page(String ownerId, Predicate<V> filter, int offset, int limit) {
        List<V> mine = views.values().stream().filter(view -> view.ownerId().equals(ownerId)).filter(filter)
                .sorted(NEWEST_FIRST).toList();
        return new Page<>(mine.subList(Math.min(offset, mine.size()), Math.min(offset + limit, mine.size())),
                mine.size(), offset, limit);
    }

    /** How many of an owner's jobs have not ended. */
    public long unfinished(String ownerId) {
        return views.values().stream().filter(view -> view.ownerId().equals(ownerId) && !view.finished()).count();
    }

    /** Hears every change until the returned handle is run. */
    public Runnable listen(Consumer<V> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }
}
