package ai.booth.gateway.job;

import ai.booth.contracts.Event;
import ai.booth.contracts.Payload;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The read model of one job kind. A subclass only says how its kind's events change a view ({@link Transitions});
 * {@link ViewEvents} hands it every record of its payload types, and reading is the same for all kinds. The views
 * channel reads its topics from the beginning on every start, so the views are the same after a restart; replays
 * are harmless because every update is idempotent. {@link Webhooks} and {@link ViewEvents} find every registry
 * through CDI, so a new kind needs nothing registered elsewhere (but its topics in application.properties).
 */
public abstract class JobRegistry<V extends Views.Job> {

    private final Views<V> views = new Views<>();
    private final Initial<V> initial;
    private final Map<Class<? extends Payload>, Transition<V>> transitions;

    /**
     * @param initial     the view of a job known only from one event so far: a result can be replayed before its
     *                    request
     * @param transitions how each payload type of the kind changes a view
     */
    protected JobRegistry(Initial<V> initial, Transitions<V> transitions) {
        this.initial = initial;
        this.transitions = Map.copyOf(transitions.byType);
    }

    /** The views themselves (a method, not the field: callers hold a CDI proxy). */
    public Views<V> views() {
        return views;
    }

    public Optional<V> find(String id, String ownerId) {
        return views.find(id, ownerId);
    }

    /** The payload types whose events change these views (public, like all it offers: callers hold a CDI proxy). */
    public Set<Class<? extends Payload>> payloadTypes() {
        return transitions.keySet();
    }

    /** Applies one event to its job's view, created by {@link #initial} if this is the job's first event. */
    public void apply(ConsumerRecord<String, Event<?>> record) {
        Event<?> event = record.value();
        Transition<V> transition = transitions.get(event.payload().getClass());
        String id = transition.jobId().apply(event.payload());
        views.update(id, () -> initial.of(id, event.ownerId(), event.occurredAt()),
                view -> transition.change().apply(view, record));
    }

    /** A view of a job known from nothing but its id, owner and first event's time. */
    @FunctionalInterface
    protected interface Initial<V> {
        V of(String id, String ownerId, Instant at);
    }

    /** How a request event (payload and the {@link JobMeta} of its headers) changes a view. */
    @FunctionalInterface
    protected interface Requested<V, P> {
        V apply(V view, Instant at, P request, JobMeta meta);
    }

    private record Transition<V>(Function<Payload, String> jobId,
                                 BiFunction<V, ConsumerRecord<String, Event<?>>, V> change) {
    }

    /** Per payload type of a kind: the job it names and how it changes that job's view. */
    protected static final class Transitions<V> {

        private final Map<Class<? extends Payload>, Transition<V>> byType = new HashMap<>();

        public Transitions() {
            // public: subclasses elsewhere build theirs with new (a protected constructor would forbid it)
        }

        /**
         * A request: its payload and the gateway's {@link JobMeta}, which travels as record headers (other
         * publishers send none), into the job's view.
         */
        public <P extends Payload> Transitions<V> requested(Class<P> type, Function<P, String> jobId,
                                                            Requested<V, P> change) {
            return add(type, jobId, (view, record) -> change.apply(view, record.value().occurredAt(),
                    type.cast(record.value().payload()), JobMeta.from(record.headers())));
        }

        /** A result or report: its payload into the job's view. */
        public <P extends Payload> Transitions<V> on(Class<P> type, Function<P, String> jobId,
                                                     BiFunction<V, P, V> change) {
            return add(type, jobId, (view, record) -> change.apply(view, type.cast(record.value().payload())));
        }

        private <P extends Payload> Transitions<V> add(Class<P> type, Function<P, String> jobId,
                                                       BiFunction<V, ConsumerRecord<String, Event<?>>, V> change) {
            byType.put(type, new Transition<>(payload -> jobId.apply(type.cast(payload)), change));
            return this;
        }
    }
}
