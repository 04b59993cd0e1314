package ai.booth.service;

import ai.booth.contracts.Event;
import ai.booth.contracts.EventSerde;
import ai.booth.contracts.Topics;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;

/**
 * Records a consumer cannot process go to {@value Topics#DEAD_LETTER} with their original key, headers and value
 * bytes and the reason in headers ({@value #ERROR}, {@value #ORIGINAL_TOPIC}, {@value #ORIGINAL_PARTITION},
 * {@value #ORIGINAL_OFFSET}), so the partition keeps flowing and an operator can inspect or replay them. For
 * malformed JSON, an unknown schema version or type, and requests that fail validation without an id to answer.
 *
 * <p>Request channels consume raw bytes ({@code value.deserializer=ByteArrayDeserializer}) and read events with
 * {@link #read}: a poison record never reaches the handler and never fails the channel. Every other channel reads
 * with {@code EventSerde}; a record it cannot read is dead-lettered by SmallRye's dead-letter-queue strategy
 * ({@code fail-on-deserialization-failure=false}, service-common's defaults) under the same header names, with
 * the bytes in a header instead of the value: {@link #originalValue} reads either.
 */
@ApplicationScoped
public class DeadLetters {

    /** SmallRye's dead-letter header names, so a dead letter reads the same whoever wrote it. */
    public static final String ERROR = "dead-letter-reason";
    public static final String ORIGINAL_TOPIC = "dead-letter-topic";
    public static final String ORIGINAL_PARTITION = "dead-letter-partition";
    public static final String ORIGINAL_OFFSET = "dead-letter-offset";
    /** Where SmallRye keeps the bytes of a record it could not deserialize (its dead letter has no value). */
    public static final String UNREADABLE_VALUE = "deserialization-failure-value-data";

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
        RecordHeaders headers = new RecordHeaders();
        record.headers().forEach(headers::add);
        headers.add(ERROR, utf8(reason));
        headers.add(ORIGINAL_TOPIC, utf8(record.topic()));
        headers.add(ORIGINAL_PARTITION, utf8(String.valueOf(record.partition())));
        headers.add(ORIGINAL_OFFSET, utf8(String.valueOf(record.offset())));
        try {
            producer().send(new ProducerRecord<>(Topics.DEAD_LETTER, null, keyBytes(record.key()), record.value(),
                    headers)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while dead-lettering " + where(record), e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot dead-letter " + where(record) + ": " + e.getCause(), e);
        }
        LOG.warnf("dead-lettered %s: %s", where(record), reason);
    }

    /** The bytes the producer sent, from a dead letter of either writer. */
    public static byte[] originalValue(ConsumerRecord<?, byte[]> deadLetter) {
        var unreadable = deadLetter.headers().lastHeader(UNREADABLE_VALUE);
        return deadLetter.value() == null && unreadable != null ? unreadable.value() : deadLetter.value();
    }

    private static String where(ConsumerRecord<?, ?> record) {
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

    @PreDestroy
    synchronized void close() {
        if (producer != null) {
            producer.close();
        }
    }
}
