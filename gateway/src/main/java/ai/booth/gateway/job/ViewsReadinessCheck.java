package ai.booth.gateway.job;

import ai.booth.service.KafkaAdmin;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Ready once the views have replayed their topics up to where the topics ended when this gateway started
 * ({@link ViewProgress}): a restarted replica joins the load balancer only when it shows every job as the others do.
 * The end offsets are read on the first check (Kafka may not be up before); the answer names how many records are
 * still to read, never addresses.
 */
@Readiness
@ApplicationScoped
public class ViewsReadinessCheck implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(ViewsReadinessCheck.class);
    private static final int TIMEOUT_MS = KafkaAdmin.TIMEOUT_MS;
    private static final String VIEW_TOPICS = "mp.messaging.incoming." + ViewEvents.CHANNEL + ".topics";

    private final ViewProgress progress;
    private final Config config;
    private final KafkaAdmin admin;

    public ViewsReadinessCheck(ViewProgress progress, Config config, KafkaAdmin admin) {
        this.progress = progress;
        this.config = config;
        this.admin = admin;
    }

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("views");
        if (!progress.hasTarget()) {
            try {
                progress.target(firstAndEndOffsets());
            } catch (Exception e) {
                LOG.warnf("views readiness: cannot read the topics' offsets from %s: %s", admin.bootstrapServers(),
                        e);
                return response.down().withData("error", "topic offsets unknown (see the service log)").build();
            }
        }
        Map<TopicPartition, Long> behind = progress.behind();
        long records = behind.values().stream().mapToLong(Long::longValue).sum();
        return response.status(behind.isEmpty()).withData("recordsToReplay", records).build();
    }

    /** The partitions of the views channel's topics with their first and end offsets now. */
    private Map<TopicPartition, long[]> firstAndEndOffsets() throws Exception {
        List<String> names = config.getValues(VIEW_TOPICS, String.class);
        Map<String, TopicDescription> topics = admin.get().describeTopics(names).allTopicNames()
                .get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
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
        return admin.get().listOffsets(spec).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }
}
