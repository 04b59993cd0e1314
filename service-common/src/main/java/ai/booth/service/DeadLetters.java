package ai.booth.service;

import ai.booth.contracts.Event;
import ai.booth.contracts.EventSerde;
import ai.booth.contracts.Topics;
import io.smallrye.reactive.messaging.kafka.DeserializationFailureHandler;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;

/**
 * Records a consumer cannot process go to {@value Topics#DEAD_LETTER} with their original key, headers and value
 * bytes and the reason in headers ({@value #ERROR}, {@value #ORIGINAL_TOPIC}, {@value #ORIGINAL_PARTITION},
 * {@value #ORIGINAL_OFFSET}), so the partition keeps flowing and an operator can inspect or replay them. For
 * malformed JSON, an unknown schema version or type, and requests that fail validation without an id to answer.
 * The one writer of dead letters: its own producer, and every send waits for Kafka's acknowledgement.
 *
 * <p>Request channels consume raw bytes ({@code value.deserializer=ByteArrayDeserializer}) and read events with
 * {@link #read}: a poison record never reaches the handler and never fails the channel. Every other channel reads
 * with {@code EventSerde}; a record it cannot read, or an event its consumer fails on, is dead-lettered by the
 * failure strategy {@link DeadLetterStrategy} (service-common's defaults), which publishes it here and tries again
 * until Kafka took it, so a dead letter that cannot be sent for a while holds the channel up instead of stopping it.
 * An unreadable record keeps its bytes (at most {@link UnreadableRecords#KEPT_BYTES}) both as the value and in header
 * {@value #UNREADABLE_VALUE}; an event is written back as {@code EventSerde} JSON. {@link #originalValue} reads
 * either, and the dead letters SmallRye's own strategy wrote before.
 */
@ApplicationScoped
public class DeadLetters {

    /** SmallRye's dead-letter header names, so a dead letter reads the same whoever wrote it. */
    public static final String ERROR = "dead-letter-reason";
    public static final String ORIGINAL_TOPIC = "dead-letter-topic";
    public static final String ORIGINAL_PARTITION = "dead-letter-partition";
    public static final String ORIGINAL_OFFSET = "dead-letter-offset";
    /** The message of the failure's cause, when it has one (failures of {@link DeadLetterStrategy} only). */
    public static final String CAUSE = "dead-letter-cause";
    /** Where SmallRye's deserializer wrapper keeps the bytes of a record it could not deserialize. */
    public static final String UNREADABLE_VALUE = DeserializationFailureHandler.DESERIALIZATION_FAILURE_VALUE_DATA;

    private static final Logger LOG = Logger.getLogger(DeadLetters.class);

    private final String bootstrapServers;
    private KafkaProducer<byte[], byte[]> producer;

    public DeadLetters(@ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    /** The record's event, or empty after dead-lettering it when it is not a valid Booth event. */
    public Optional<Event<?>> read(ConsumerRecord<?, byte[]> record) {
        if (record.value() == null) {
            publish(record, "record has no value");
            return Optional.empty();
        }
        try {
            return Optional.of(EventSerde.fromJson(record.topic(), record.value()));
        } catch (RuntimeException e) {
            publish(record, e.getMessage());
            return Optional.empty();
        }
    }

    /** Publishes the record to the dead-letter topic and waits until Kafka acknowledged it. */
    public void publish(ConsumerRecord<?, byte[]> record, String reason) {
        publish(record, record.value(), reason, null);
    }

    /**
     * Publishes a record its consumer failed on ({@link DeadLetterStrategy}), with the failure's message as the
     * reason and its cause's, if any, in {@value #CAUSE}, and waits until Kafka acknowledged it. The value is the
     * record's bytes: as consumed when it was read as bytes, {@code EventSerde} JSON when it was read as an event
     * (never Java serialisation), the bytes the deserializer could not read when it has no value.
     *
     * @throws NotSent when Kafka did not take it
     * @throws IllegalArgumentException when the value is neither bytes nor an event
     */
    public void publish(ConsumerRecord<?, ?> record, Throwable failure) {
        publish(record, valueBytes(record), message(failure),
                failure.getCause() == null ? null : message(failure.getCause()));
    }

    private static byte[] valueBytes(ConsumerRecord<?, ?> record) {
        Object value = record.value();
        if (value == null) {
            Header unreadable = record.headers().lastHeader(UNREADABLE_VALUE);
            return unreadable == null ? null : unreadable.value();
        }
        if (value instanceof byte[] bytes) {
            return bytes;
        }
        if (value instanceof Event<?> event) {
            return EventSerde.toJson(event);
        }
        throw new IllegalArgumentException("cannot dead-letter a " + value.getClass().getName() + " value of "
                + where(record) + ": Booth channels read bytes or events");
    }

    private void publish(ConsumerRecord<?, ?> record, byte[] value, String reason, String cause) {
        RecordHeaders headers = new RecordHeaders();
        record.headers().forEach(headers::add);
        // SmallRye's mark for "dead-letter this at once": a consumer of the dead-letter topic must not act on it
        headers.remove(DeserializationFailureHandler.DESERIALIZATION_FAILURE_DLQ);
        headers.add(ERROR, utf8(reason));
        if (cause != null) {
            headers.add(CAUSE, utf8(cause));
        }
        headers.add(ORIGINAL_TOPIC, utf8(record.topic()));
        headers.add(ORIGINAL_PARTITION, utf8(String.valueOf(record.partition())));
        headers.add(ORIGINAL_OFFSET, utf8(String.valueOf(record.offset())));
        try {
            producer().send(new ProducerRecord<>(Topics.DEAD_LETTER, null, keyBytes(record.key()), value, headers))
                    .get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while dead-lettering " + where(record), e);
        } catch (ExecutionException e) {
            throw new NotSent("cannot dead-letter " + where(record) + ": " + e.getCause(), e.getCause());
        } catch (KafkaException e) { // thrown by send itself: metadata not had in time, a closed producer
            throw new NotSent("cannot dead-letter " + where(record) + ": " + e, e);
        }
        LOG.warnf("dead-lettered %s: %s", where(record), reason);
    }

    /** Kafka did not take a dead letter (the broker away, the topic refusing it, a closed producer). */
    public static final class NotSent extends IllegalStateException {

        NotSent(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The bytes the producer sent, from a dead letter of either writer. */
    public static byte[] originalValue(ConsumerRecord<?, byte[]> deadLetter) {
        var unreadable = deadLetter.headers().lastHeader(UNREADABLE_VALUE);
        return deadLetter.value() == null && unreadable != null ? unreadable.value() : deadLetter.value();
    }

    private static String message(Throwable failure) {
        return failure.getMessage() == null ? failure.toString() : failure.getMessage();
    }

    static String where(ConsumerRecord<?, ?> record) {
        return record.topic() + "/" + record.partition() + "@" + record.offset();
    }

    private static byte[] keyBytes(Object key) {
        if (key == null || key instanceof byte[]) {
            return (byte[]) key;
        }
        return utf8(key.toString());
    }

    private static byte[] utf8(String text) {
        return String.valueOf(text).getBytes(StandardCharsets.UTF_8);
    }

    private synchronized KafkaProducer<byte[], byte[]> producer() {
        if (producer == null) {
            producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                    ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.CLIENT_ID_CONFIG, "booth-dead-letters"),
                    new ByteArraySerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    /** Bounded: a dead letter still unacknowledged at shutdown (the broker away) left its record unacknowledged too. */
    @PreDestroy
    synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }
}
