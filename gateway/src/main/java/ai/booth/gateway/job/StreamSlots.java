package ai.booth.gateway.job;

import ai.booth.gateway.GatewayConfig;
import ai.booth.gateway.http.ProblemException;
import ai.booth.keys.ApiKey;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Server-sent event streams open per API key, at most {@code booth.gateway.max-streams-per-key}: a stream holds a
 * connection and a listener on the views for as long as its job runs (hours), so without a bound one key could
 * hold them all.
 */
@ApplicationScoped
public class StreamSlots {

    /** Streams end when their jobs do: a short wait is a fair hint. */
    static final long RETRY_AFTER_SECONDS = 15;

    private final int max;
    private final Map<String, Integer> open = new ConcurrentHashMap<>();

    public StreamSlots(GatewayConfig config) {
        this.max = config.maxStreamsPerKey();
    }

    /** Takes a slot of the key, or throws the 429 problem; running the answer (once is enough) frees it. */
    public Runnable take(ApiKey key) {
        boolean[] taken = {false};
        open.compute(key.id(), (id, n) -> {
            int count = n == null ? 0 : n;
            taken[0] = count < max;
            return taken[0] ? count + 1 : n;
        });
        if (!taken[0]) {
            throw ProblemException.limited("too-many-streams", "Too many open streams", "API key " + key.id()
                    + " already follows " + max + " jobs as server-sent events (booth.gateway.max-streams-per-key);"
                    + " close one or poll", RETRY_AFTER_SECONDS);
        }
        AtomicBoolean freed = new AtomicBoolean();
        return () -> {
            if (freed.compareAndSet(false, true)) {
                open.computeIfPresent(key.id(), (id, n) -> n <= 1 ? null : n - 1);
            }
        };
    }
}
