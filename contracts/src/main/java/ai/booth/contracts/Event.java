package ai.booth.contracts;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * The envelope of every Booth event: what happened ({@code type} and {@code payload}), which job it belongs to
 * ({@code correlationId}), on whose behalf ({@code ownerId}), and a unique {@code eventId} so consumers can drop
 * duplicates (Kafka delivers at least once).
 *
 * @param schemaVersion  version of this envelope and the payload schemas; readers refuse newer versions
 * @param eventId        unique per event; the same event re-delivered keeps it
 * @param type           the payload's simple record name, e.g. {@code DatasetReady}
 * @param correlationId  the job or request this event belongs to (dataset, training or generation id)
 * @param ownerId        the tenant the job belongs to
 * @param occurredAt     when the producer created the event
 * @param payload        the event's content
 */
public record Event<P extends Payload>(int schemaVersion, UUID eventId, String type, String correlationId,
                                       String ownerId, Instant occurredAt, P payload) {

    public static final int SCHEMA_VERSION = 1;

    public Event {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(correlationId, "correlationId");
        Objects.requireNonNull(ownerId, "ownerId");
        Objects.requireNonNull(occurredAt, "occurredAt");
        Objects.requireNonNull(payload, "payload");
        if (!payload.getClass().getSimpleName().equals(type)) {
            throw new IllegalArgumentException("event type '" + type + "' does not match payload "
                    + payload.getClass().getSimpleName());
        }
        RequiredFields.check((Record) payload);
    }

    /** A new event starting or continuing the job {@code correlationId}. */
    public static <P extends Payload> Event<P> of(String correlationId, String ownerId, P payload) {
        return new Event<>(SCHEMA_VERSION, UUID.randomUUID(), payload.getClass().getSimpleName(), correlationId,
                ownerId, Instant.now(), payload);
    }

    /** A new event caused by this one: same job, same owner. */
    public <N extends Payload> Event<N> next(N nextPayload) {
        return of(correlationId, ownerId, nextPayload);
    }

    /** The topic this event is published on. */
    public String topic() {
        return Topics.of(payload.getClass());
    }
}
