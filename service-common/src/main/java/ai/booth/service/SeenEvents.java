package ai.booth.service;

import ai.booth.contracts.Event;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Drops re-delivered events (Kafka delivers at least once) by remembering the most recent event ids. In memory and
 * bounded: it covers redelivery after a rebalance, not after a restart, so handlers stay idempotent on their own.
 */
@ApplicationScoped
public class SeenEvents {

    private static final int CAPACITY = 10_000;

    private final Set<UUID> seen = Collections.newSetFromMap(Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<UUID, Boolean> eldest) {
                    return size() > CAPACITY;
                }
            }));

    /** True the first time an event id is offered. */
    public boolean firstTime(Event<?> event) {
        return seen.add(event.eventId());
    }
}
