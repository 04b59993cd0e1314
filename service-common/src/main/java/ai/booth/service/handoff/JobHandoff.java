package ai.booth.service.handoff;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Default;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.util.Collection;

/**
 * The worker's job channel's rebalance listener ({@code consumer-rebalance-listener.name=}{@value #NAME}): feeds the
 * channel's assignments to {@link PartitionJobs}. SmallRye calls it on the polling thread right after its throttled
 * commit strategy committed the offsets already acknowledged on the revoked partitions, so the jobs that ended
 * before the revocation keep their commit; a job that ends while the revocation waits is not committed here and is
 * answered from its stored outcome by the new owner.
 */
@ApplicationScoped
@Default // injected plainly by the channel's consumer, found by name by SmallRye
@Identifier(JobHandoff.NAME)
public class JobHandoff implements KafkaConsumerRebalanceListener {

    public static final String NAME = "booth-job-handoff";

    private final PartitionJobs jobs;

    /** {@code booth.handoff.max-wait} stays below the channel's max.poll.interval.ms (Kafka's default: 5 min). */
    public JobHandoff(@ConfigProperty(name = "booth.handoff.max-wait", defaultValue = "PT4M") Duration maxWait) {
        this.jobs = new PartitionJobs(maxWait);
    }

    public PartitionJobs jobs() {
        return jobs;
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        jobs.onPartitionsAssigned(partitions);
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        jobs.onPartitionsRevoked(partitions);
    }
}
