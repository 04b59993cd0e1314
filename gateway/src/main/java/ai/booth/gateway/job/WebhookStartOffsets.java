package ai.booth.gateway.job;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The webhook group starts at the topics' end (no callbacks for history), and commits only what it finished
 * delivering ({@link Webhooks}). A partition it has never committed would therefore start at the end again after a
 * crash, skipping the deliveries the crash cut short: so on assignment every partition without a committed offset
 * gets its start position committed at once, and from then on a restart resumes where deliveries were unfinished.
 */
@ApplicationScoped
@Identifier(WebhookStartOffsets.NAME)
public class WebhookStartOffsets implements KafkaConsumerRebalanceListener {

    /** {@code mp.messaging.incoming.webhooks.consumer-rebalance-listener.name} */
    public static final String NAME = "booth-webhook-start-offsets";
    private static final Logger LOG = Logger.getLogger(WebhookStartOffsets.class);

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions));
        Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
        for (TopicPartition partition : partitions) {
            if (committed.get(partition) == null) {
                start.put(partition, new OffsetAndMetadata(consumer.position(partition)));
            }
        }
        if (!start.isEmpty()) {
            consumer.commitSync(start);
            LOG.infof("webhooks: start offsets committed for %d new partition(s)", start.size());
        }
    }
}
