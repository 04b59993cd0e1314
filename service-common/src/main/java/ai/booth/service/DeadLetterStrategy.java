package ai.booth.service;

import io.quarkus.arc.Unremovable;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.reactive.messaging.kafka.IncomingKafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaConnectorIncomingConfiguration;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.fault.KafkaDeadLetterQueue;
import io.smallrye.reactive.messaging.kafka.fault.KafkaFailureHandler;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;

import java.util.function.BiConsumer;

/**
 * The failure strategy of every Booth channel ({@code failure-strategy=booth-dead-letter}, service-common's
 * defaults): a record its consumer failed on (a negative acknowledgement) or that {@code EventSerde} could not read
 * ({@link UnreadableRecords}) goes to the dead-letter topic through {@link DeadLetters}, and is acknowledged once
 * Kafka took it, so the channel goes on with the next record.
 *
 * <p>SmallRye's {@code dead-letter-queue} strategy fails the channel for good when its dead letter cannot be sent
 * (the broker away for a moment, the dead-letter topic refusing writes): one unreadable record during a broker
 * hiccup stopped that consumer until the service restarted. Here a send that fails is tried again, paused as
 * {@link #RETRIES} says, until Kafka takes it; meanwhile the record stays unacknowledged (its offset is not
 * committed, so a restart delivers it again) and an unreadable record holds its channel up, as a consumer without
 * its broker is held up anyway. The retries end when the channel closes (the service shutting down). A dead letter
 * the broker can never take (larger than the dead-letter topic's {@code max.message.bytes}) would be tried for ever:
 * {@link UnreadableRecords} keeps unreadable ones small, and an event goes back at about the size it came with.
 *
 * <p>The handler is a {@link KafkaDeadLetterQueue} only so that SmallRye's Kafka source still dead-letters the
 * records {@link UnreadableRecords} marked itself, before they reach the consumer (it does so for that class only);
 * none of SmallRye's dead-letter producer is used. Per-message dead-letter metadata (another topic or key in the
 * negative acknowledgement's {@code OutgoingKafkaRecordMetadata}) is not honoured: no Booth consumer sends any.
 */
@ApplicationScoped
@Unremovable // looked up by name by the connector, injected nowhere
@Identifier(DeadLetterStrategy.NAME)
public class DeadLetterStrategy implements KafkaFailureHandler.Factory {

    /** {@code mp.messaging.connector.smallrye-kafka.failure-strategy} */
    public static final String NAME = "booth-dead-letter";

    private static final Logger LOG = Logger.getLogger(DeadLetterStrategy.class);
    /** Without bound: the record may not be acknowledged before its dead letter is in Kafka. */
    static final Backoff RETRIES = Backoff.OUTAGE;

    private final DeadLetters deadLetters;

    public DeadLetterStrategy(DeadLetters deadLetters) {
        this.deadLetters = deadLetters;
    }

    @Override
    public KafkaFailureHandler create(KafkaConnectorIncomingConfiguration config, Vertx vertx,
                                      KafkaConsumer<?, ?> consumer, BiConsumer<Throwable, Boolean> reportFailure) {
        return new Handler(config.getChannel(), deadLetters, RETRIES);
    }

    /** One channel's handler: dead-letters, retries until sent, then acknowledges. */
    static final class Handler extends KafkaDeadLetterQueue {

        private final String channel;
        private final DeadLetters deadLetters;
        private final Backoff retries;
        private volatile boolean closed;

        Handler(String channel, DeadLetters deadLetters, Backoff retries) {
            super(channel, null, null, null);
            this.channel = channel;
            this.deadLetters = deadLetters;
            this.retries = retries;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <K, V> Uni<Void> handle(IncomingKafkaRecord<K, V> record, Throwable reason, Metadata metadata) {
            ConsumerRecord<K, V> consumed = record.getMetadata().get(IncomingKafkaRecordMetadata.class)
                    .map(kafka -> (ConsumerRecord<K, V>) kafka.getRecord())
                    .orElseThrow(() -> new IllegalStateException("not a Kafka record of channel " + channel));
            return Uni.createFrom().item(() -> {
                        if (closed) {
                            throw new IllegalStateException("channel " + channel + " closed before "
                                    + DeadLetters.where(consumed) + " was dead-lettered; it stays unacknowledged");
                        }
                        deadLetters.publish(consumed, reason);
                        return consumed;
                    })
                    .runSubscriptionOn(Infrastructure.getDefaultWorkerPool()) // the send waits for Kafka
                    .onFailure(DeadLetters.NotSent.class).invoke(e -> LOG.warnf("channel %s, trying again: %s",
                            channel, e.getMessage()))
                    .onFailure(DeadLetters.NotSent.class).retry().when(this::paused)
                    .emitOn(record::runOnMessageContext)
                    .onItem().transformToUni(sent -> Uni.createFrom().completionStage(record::ack));
        }

        /** Each failed send let through after its pause, unless the channel closed meanwhile. */
        private Multi<Throwable> paused(Multi<Throwable> failures) {
            Backoff.Waits waits = retries.start();
            return failures.onItem().transformToUniAndConcatenate(failure -> closed
                    ? Uni.createFrom().failure(failure)
                    : waits.next().map(pause -> Uni.createFrom().item(failure).onItem().delayIt().by(pause))
                            .orElseGet(() -> Uni.createFrom().failure(failure)));
        }

        @Override
        public void terminate() {
            closed = true;
        }
    }
}
