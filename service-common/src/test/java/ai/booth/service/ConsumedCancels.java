package ai.booth.service;

import ai.booth.contracts.Event;
import ai.booth.contracts.TrainingCancelRequested;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@link DeadLetterStrategyTest}'s consumer: a channel that reads events with {@code EventSerde} and the connector
 * defaults, as the trainer's cancel channel does. It keeps what it consumed, and fails on a cancel whose reason is
 * {@link #REFUSE}, as a consumer fails on an event it cannot process.
 */
@ApplicationScoped
public class ConsumedCancels {

    static final String CHANNEL = "consumed-cancels";
    static final String REFUSE = "refuse me";

    private final List<Event<TrainingCancelRequested>> consumed = new CopyOnWriteArrayList<>();

    @Incoming(CHANNEL)
    void consume(Event<TrainingCancelRequested> event) {
        if (REFUSE.equals(event.payload().reason())) {
            throw new IllegalStateException("the consumer cannot process cancel " + event.eventId());
        }
        consumed.add(event);
    }

    boolean consumed(Event<?> event) {
        return consumed.stream().anyMatch(e -> e.eventId().equals(event.eventId()));
    }
}
