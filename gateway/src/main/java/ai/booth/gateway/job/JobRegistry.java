package ai.booth.gateway.job;

import ai.booth.contracts.Event;
import ai.booth.contracts.Payload;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.time.Instant;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The read model of one job kind. Each subclass consumes its own kind's topics ({@code @Incoming view-*} channels,
 * see application.properties) and turns every event into a change of one view; reading is the same for all kinds.
 * Each channel reads its topic from the beginning on every start, so the views are the same after a restart; replays
 * are harmless because every update is idempotent. {@link Webhooks} finds every registry through CDI, so a new kind
 * needs nothing registered elsewhere.
 */
public abstract class JobRegistry<V extends Views.Job> {

    private final Views<V> views = new Views<>();

    /** The views themselves (a method, not the field: callers hold a CDI proxy). */
    public Views<V> views() {
        return views;
    }

    public Optional<V> find(String id, String ownerId) {
        return views.find(id, ownerId);
    }

    /** The view of a job known only from {@code event} so far: a result can be replayed before its request. */
    protected abstract V initial(String id, Event<?> event);

    /** Applies {@code change} to the job's view, created by {@link #initial} if this is its first event. */
    protected void on(Event<?> event, String id, UnaryOperator<V> change) {
        views.update(id, () -> initial(id, event), change);
    }

    /**
     * A request event: its payload and the gateway's {@link JobMeta}, which travels as record headers (other
     * publishers send none), into the job's view.
     */
    protected <P extends Payload> void onRequested(ConsumerRecord<String, Event<P>> record, String id,
                                                   Requested<V, P> change) {
        Event<P> event = record.value();
        JobMeta meta = JobMeta.from(record.headers());
        on(event, id, view -> change.apply(view, event.occurredAt(), event.payload(), meta));
    }

    /** How a request event changes a view. */
    @FunctionalInterface
    protected interface Requested<V, P> {
        V apply(V view, Instant at, P request, JobMeta meta);
    }
}
