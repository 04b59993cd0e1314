package ai.booth.service;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.IncomingKafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaConnectorIncomingConfiguration;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import io.smallrye.reactive.messaging.kafka.commit.ContextHolder;
import io.smallrye.reactive.messaging.kafka.commit.KafkaCommitHandler;
import io.smallrye.reactive.messaging.kafka.commit.KafkaThrottledLatestProcessedCommit;
import io.vertx.mutiny.core.Context;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Collection;
import java.util.function.BiConsumer;

/**
 * SmallRye's {@code throttled} commit strategy (a record's offset is committed once it and every record before it
 * were acknowledged) that survives a lost broker. The throttled strategy looks up a partition's committed offset
 * ({@code consumer.committed}, bounded by {@code default.api.timeout.ms}, 60 s) when the first record of a newly
 * assigned partition arrives; if the broker is gone at that moment the lookup times out, and SmallRye fails the whole
 * channel with it: the service stays up but never reads that channel again (a dataset-service that lost its broker
 * for 30 s just as an upload arrived never processed another upload). Here a lookup that fails with a retriable Kafka
 * error is tried again ({@link #RETRIES}: 1 s, doubling to 10 s) until the broker answers; the channel waits instead of dying, which
 * is all it could do without a broker anyway. Everything else is the throttled strategy unchanged.
 *
 * <p>Every Booth channel that commits uses it ({@code commit-strategy=throttled-outage-tolerant}, the connector
 * default in service-common's config).
 */
@ApplicationScoped
@Identifier(OutageTolerantCommit.STRATEGY)
public class OutageTolerantCommit implements KafkaCommitHandler.Factory {

    public static final String STRATEGY = "throttled-outage-tolerant";

    private static final Logger LOG = Logger.getLogger(OutageTolerantCommit.class);
    /** Without bound: the channel can do nothing else until the broker answers. */
    static final Backoff RETRIES = Backoff.of(Duration.ofSeconds(1), Duration.ofSeconds(10));

    private final KafkaThrottledLatestProcessedCommit.Factory throttled = new KafkaThrottledLatestProcessedCommit.Factory();

    @Override
    public KafkaCommitHandler create(KafkaConnectorIncomingConfiguration config, Vertx vertx,
                                     KafkaConsumer<?, ?> consumer, BiConsumer<Throwable, Boolean> reportFailure) {
        return new Handler(throttled.create(config, vertx, consumer, reportFailure), vertx, config.getChannel(),
                RETRIES);
    }

    /**
     * The throttled handler with {@link #received} retried on retriable Kafka failures. A {@link ContextHolder}
     * like the throttled one, so the connector hands it the channel's Vert.x context, which it passes on.
     */
    static final class Handler extends ContextHolder implements KafkaCommitHandler {

        private final KafkaCommitHandler delegate;
        private final String channel;
        private final Backoff retries;

        Handler(KafkaCommitHandler delegate, Vertx vertx, String channel, Backoff retries) {
            super(vertx, 60_000);
            this.delegate = delegate;
            this.channel = channel;
            this.retries = retries;
        }

        @Override
        public void capture(Context context) {
            super.capture(context);
            if (delegate instanceof ContextHolder holder) {
                holder.capture(context);
            }
        }

        @Override
        public void capture(io.vertx.core.Context context) {
            super.capture(context);
            if (delegate instanceof ContextHolder holder) {
                holder.capture(context);
            }
        }

        @Override
        public <K, V> Uni<IncomingKafkaRecord<K, V>> received(IncomingKafkaRecord<K, V> record) {
            return Uni.createFrom().deferred(() -> delegate.received(record))
                    .onFailure(KafkaFailures::retriable).invoke(e -> LOG.warnf("channel %s: Kafka did not answer the"
                            + " committed-offset lookup of a newly assigned partition (%s); trying again", channel,
                            e.getMessage()))
                    .onFailure(KafkaFailures::retriable).retry().when(this::paused);
        }

        /** Each retriable failure of one lookup, let through after its pause; past a bounded backoff, the failure. */
        private Multi<Throwable> paused(Multi<Throwable> failures) {
            Backoff.Waits waits = retries.start();
            return failures.onItem().transformToUniAndConcatenate(failure -> waits.next()
                    .map(pause -> Uni.createFrom().item(failure).onItem().delayIt().by(pause))
                    .orElseGet(() -> Uni.createFrom().failure(failure)));
        }

        @Override
        public <K, V> Multi<IncomingKafkaRecord<K, V>> decorateStream(Multi<IncomingKafkaRecord<K, V>> stream) {
            return delegate.decorateStream(stream);
        }

        @Override
        public <K, V> Uni<Void> handle(IncomingKafkaRecord<K, V> record) {
            return delegate.handle(record);
        }

        @Override
        public void partitionsAssigned(Collection<TopicPartition> partitions) {
            delegate.partitionsAssigned(partitions);
        }

        @Override
        public void partitionsRevoked(Collection<TopicPartition> partitions) {
            delegate.partitionsRevoked(partitions);
        }

        @Override
        public void terminate(boolean graceful) {
            delegate.terminate(graceful);
        }
    }
}
