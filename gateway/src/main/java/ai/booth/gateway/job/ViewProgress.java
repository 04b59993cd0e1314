package ai.booth.gateway.job;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How far the views have read their topics since this gateway started: per view channel and partition, the highest
 * offset handled (applied, or dead-lettered), against the end offsets the topics had when the gateway first asked
 * ({@link #target}). The views are caught up once every partition reached its target: until then a restarted
 * gateway would answer from a half-built read model (jobs missing, statuses behind), so it is not ready.
 */
@ApplicationScoped
public class ViewProgress {

    /** One partition of the topic one view channel reads. */
    public record ChannelPartition(String channel, int partition) {
    }

    private final Map<ChannelPartition, Long> handled = new ConcurrentHashMap<>();
    private volatile Map<ChannelPartition, long[]> targets;
    private volatile boolean caughtUp;

    /** A record of a view channel was handled. */
    public void handled(String channel, int partition, long offset) {
        handled.merge(new ChannelPartition(channel, partition), offset, Math::max);
    }

    public boolean hasTarget() {
        return targets != null;
    }

    /**
     * Sets, once, what catching up means: for each view channel's partition, its first and end offset when asked
     * (records at and after the end are news, not history; a partition whose first offset is its end is empty).
     */
    public synchronized void target(Map<ChannelPartition, long[]> firstAndEnd) {
        if (targets != null) {
            return;
        }
        Map<ChannelPartition, long[]> ranges = new LinkedHashMap<>();
        firstAndEnd.forEach((partition, range) -> {
            if (range[1] > range[0]) {
                ranges.put(partition, range.clone());
            }
        });
        targets = Map.copyOf(ranges);
    }

    /** Whether the views are known to be replaying history still (false before the target is known). */
    public boolean replaying() {
        return targets != null && !behind().isEmpty();
    }

    /**
     * The partitions still short of their target, with how many records each has left (empty once caught up, and
     * for good after that).
     */
    public Map<ChannelPartition, Long> behind() {
        if (caughtUp) {
            return Map.of();
        }
        Map<ChannelPartition, long[]> ranges = Optional.ofNullable(targets)
                .orElseThrow(() -> new IllegalStateException("no target yet"));
        Map<ChannelPartition, Long> behind = new LinkedHashMap<>();
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
