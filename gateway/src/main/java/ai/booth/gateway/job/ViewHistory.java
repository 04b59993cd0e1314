package ai.booth.gateway.job;

import ai.booth.gateway.http.ProblemException;
import ai.booth.service.KafkaAdmin;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * How much of the job history this replica's views still have to read: the views channel's topics as they ended
 * when first asked (read from the broker once, since Kafka may not be up before), against what {@link ViewProgress}
 * has seen handled. Readiness reports it ({@link ViewsReadinessCheck}); {@link JobStarter} starts no job before it is
 * read (a restarted replica would not find the job an Idempotency-Key named yet, and start it twice).
 */
@ApplicationScoped
public class ViewHistory {

    private static final Logger LOG = Logger.getLogger(ViewHistory.class);
    private static final String VIEW_TOPICS = "mp.messaging.incoming." + ViewEvents.CHANNEL + ".topics";

    private final ViewProgress progress;
    private final Config config;
    private final KafkaAdmin admin;

    public ViewHistory(ViewProgress progress, Config config, KafkaAdmin admin) {
        this.progress = progress;
        this.config = config;
        this.admin = admin;
    }

    /**
     * The partitions still short of where they ended, with how many records each has left; empty once caught up (and
     * for good after that).
     *
     * @throws Exception the broker could not say where the topics end (not reachable yet)
     */
    public Map<TopicPartition, Long> behind() throws Exception {
        if (!progress.hasTarget()) {
            progress.target(firstAndEndOffsets());
        }
        return progress.behind();
    }

    /**
     * Throws 503 with Retry-After while this replica has not read the job history (just restarted, or the broker not
     * reachable): until then a job missing from the views may only be not read yet.
     *
     * @param toDo what cannot be done before, e.g. "start jobs"
     */
    public void require(String toDo) {
        long left;
        try {
            left = behind().values().stream().mapToLong(Long::longValue).sum();
        } catch (Exception e) {
            throw ProblemException.unavailable("history-unavailable", "this gateway cannot read the job history "
                    + "from the broker yet, so it cannot " + toDo + "; retry in 5 s", 5);
        }
        if (left > 0) {
            throw ProblemException.unavailable("history-replaying", "this gateway started moments ago and still "
                    + "reads the job history (" + left + " records left), so it cannot " + toDo + " yet; retry in"
                    + " 2 s", 2);
        }
    }

    /**
     * The answer for a {@code noun} this replica does not know: 404, or 503 (see {@link #require}) while it may only
     * not have read it yet.
     */
    public ProblemException notFound(String noun, String id) {
        require("tell whether " + noun + " '" + id + "' exists");
        return ProblemException.notFound(noun, id);
    }

    /**
     * Waits until the views have read every record {@code topic} holds now (at most {@code max}), e.g. an event's
     * cause published on another topic moments before it; false when they did not within {@code max}.
     */
    public boolean awaitRead(String topic, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        Map<TopicPartition, long[]> now = null;
        while (System.nanoTime() < deadline) {
            try {
                now = now != null ? now : firstAndEndOffsets(List.of(topic));
                if (progress.reached(now)) {
                    return true;
                }
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                LOG.debugf("cannot read the offsets of %s yet: %s", topic, e.getMessage());
            }
            Thread.sleep(100);
        }
        return false;
    }

    /** The partitions of the views channel's topics with their first and end offsets now. */
    private Map<TopicPartition, long[]> firstAndEndOffsets() throws Exception {
        return firstAndEndOffsets(config.getValues(VIEW_TOPICS, String.class));
    }

    private Map<TopicPartition, long[]> firstAndEndOffsets(List<String> names) throws Exception {
        Map<String, TopicDescription> topics = admin.get().describeTopics(names).allTopicNames()
                .get(KafkaAdmin.TIMEOUT_MS, TimeUnit.MILLISECONDS);
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        topics.values().forEach(topic -> topic.partitions().forEach(p -> {
            earliest.put(new TopicPartition(topic.name(), p.partition()), OffsetSpec.earliest());
            latest.put(new TopicPartition(topic.name(), p.partition()), OffsetSpec.latest());
        }));
        Map<TopicPartition, Long> first = offsets(earliest);
        Map<TopicPartition, long[]> ranges = new HashMap<>();
        offsets(latest).forEach((partition, end) -> ranges.put(partition, new long[]{first.get(partition), end}));
        return ranges;
    }

    private Map<TopicPartition, Long> offsets(Map<TopicPartition, OffsetSpec> spec) throws Exception {
        return admin.get().listOffsets(spec).all().get(KafkaAdmin.TIMEOUT_MS, TimeUnit.MILLISECONDS).entrySet()
                .stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }
}
