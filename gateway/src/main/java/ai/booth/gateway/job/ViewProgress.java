package ai.booth.gateway.job;

import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.TopicPartition;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How far the views have read their topics since this gateway started: per partition of the topics the views
 * channel reads ({@link ViewEvents}), the highest offset handled (applied, or dead-lettered), against the end
 * offsets the topics had when the gateway first asked ({@link #target}). The views are caught up once every partition reached its target: until then a restarted
 * gateway would answer from a half-built read model (jobs missing, statuses behind), so it is not ready.
 */
@ApplicationScoped
public class ViewProgress {

    private final Map<TopicPartition, Long> handled = new ConcurrentHashMap<>();
    private volatile Map<TopicPartition, long[]> targets;
    private volatile boolean caughtUp;

    /** A record of the views channel was handled. */
    public void handled(String topic, int partition, long offset) {
        handled.merge(new TopicPartition(topic, partition), offset, Math::max);
    }

    public boolean hasTarget() {
        return targets != null;
    }

    /**
     * Sets, once, what catching up means: for each partition of the channel's topics, its first and end offset when
     * asked (records at and after the end are news, not history; a partition whose first offset is its end is empty).
     */
    public synchronized void target(Map<TopicPartition, long[]> firstAndEnd) {
        if (targets != null) {
            return;
        }
        Map<TopicPartition, long[]> ranges = new LinkedHashMap<>();
        firstAndEnd.forEach((partition, range) -> {
            if (range[1] > range[0]) {
                ranges.put(partition, range.clone());
            }
        });
        targets = Map.copyOf(ranges);
    }

    /**
     * Whether the views handled every record before the given offsets ({@code [first, end)} per partition, as
     * {@link #target} takes them): a record published before those offsets were read is in the views.
     */
    public boolean reached(Map<TopicPartition, long[]> firstAndEnd) {
        return firstAndEnd.entrySet().stream().allMatch(e -> e.getValue()[1] <= e.getValue()[0]
                || handled.getOrDefault(e.getKey(), -1L) + 1 >= e.getValue()[1]);
    }

    /** Whether the views are known to be replaying history still (false before the target is known). */
    public boolean replaying() {
        return targets != null && !behind().isEmpty();
    }

    /**
     * The partitions still short of their target, with how many records each has left (empty once caught up, and
     * for good after that).
     */
    public Map<TopicPartition, Long> behind() {
        if (caughtUp) {
            return Map.of();
        }
        Map<TopicPartition, long[]> ranges = Optional.ofNullable(targets)
                .orElseThrow(() -> new IllegalStateException("no target yet"));
        Map<TopicPartition, Long> behind = new LinkedHashMap<>();
        ranges.forEach((partition, range) -> {
            long next = Math.max(range[0], handled.getOrDefault(partition, -1L) + 1);
            if (next < range[1]) {
                behind.put(partition, range[1] - next);
            }
        });
        caughtUp = behind.isEmpty();
        return behind;
    }
}
