package ai.booth.testing;

import ai.booth.contracts.Event;
import ai.booth.contracts.EventSerde;
import ai.booth.contracts.Payload;
import ai.booth.contracts.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Predicate;

/** A test's own Kafka client: publishes Booth events and waits for the ones services emit. */
public final class EventProbe implements AutoCloseable {

    private final KafkaProducer<String, Event<?>> producer;
    private final KafkaProducer<String, byte[]> rawProducer;
    private final KafkaConsumer<String, Event<?>> consumer;
    private final List<Event<?>> received = new ArrayList<>();
    private final String bootstrapServers;

    /** Reads events; a poison record (tests publish some on purpose) is read as null and skipped, not thrown. */
    private static final Deserializer<Event<?>> POISON_TOLERANT = (topic, data) -> {
        try {
            return EventSerde.fromJson(data);
        } catch (RuntimeException e) {
            return null;
        }
    };

    /** Subscribes to every Booth topic from the beginning, in a consumer group of its own. */
    public EventProbe(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers),
                new StringSerializer(), new EventSerde());
        rawProducer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers),
                new StringSerializer(), new ByteArraySerializer());
        consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "probe-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), POISON_TOLERANT);
        consumer.subscribe(Topics.ALL.stream().filter(t -> !t.equals(Topics.DEAD_LETTER)).toList());
    }

    /** A probe on the broker the running Quarkus application is configured with ({@code kafka.bootstrap.servers}). */
    public static EventProbe forApplication() {
        return new EventProbe(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
    }

    public void publish(Event<?> event) throws ExecutionException, InterruptedException {
        publish(event, new RecordHeaders());
    }

    /** Publishes with record headers, as a service does that passes facts outside the payload schema. */
    public void publish(Event<?> event, Headers headers) throws ExecutionException, InterruptedException {
        producer.send(new ProducerRecord<>(event.topic(), null, event.correlationId(), event, headers)).get();
    }

    /**
     * Publishes with the record timestamp {@code at}, as if published then (the broker's retention judges records
     * by it): how a test ages a job without waiting.
     */
    public void publishAt(Event<?> event, Instant at) throws ExecutionException, InterruptedException {
        producer.send(new ProducerRecord<>(event.topic(), null, at.toEpochMilli(), event.correlationId(), event))
                .get();
    }

    /** Publishes many events at once and returns when the broker has every one. */
    public void publishAll(List<? extends Event<?>> events) throws ExecutionException, InterruptedException {
        List<Future<?>> sent = new ArrayList<>();
        for (Event<?> event : events) {
            sent.add(producer.send(new ProducerRecord<>(event.topic(), event.correlationId(), event)));
        }
        for (Future<?> future : sent) {
            future.get();
        }
    }

    /** Publishes bytes that need not be an event at all: what a broken or hostile producer could send. */
    public void publishRaw(String topic, String key, byte[] value) throws ExecutionException, InterruptedException {
        rawProducer.send(new ProducerRecord<>(topic, key, value)).get();
    }

    /** The first event with this payload type and correlation id, waiting up to {@code timeout}. */
    public <P extends Payload> Event<P> await(Class<P> type, String correlationId, Duration timeout) {
        return await(type, event -> event.correlationId().equals(correlationId), timeout);
    }

    @SuppressWarnings("unchecked")
    public <P extends Payload> Event<P> await(Class<P> type, Predicate<Event<?>> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (Event<?> event : received) {
                if (type.isInstance(event.payload()) && match.test(event)) {
                    return (Event<P>) event;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + type.getSimpleName() + " within " + timeout + "; received "
                        + received.stream().map(e -> e.type() + "(" + e.correlationId() + ")").toList());
            }
            poll();
        }
    }

    private void poll() {
        for (ConsumerRecord<String, Event<?>> record : consumer.poll(Duration.ofMillis(200))) {
            if (record.value() != null) {
                received.add(record.value());
            }
        }
    }

    /** Every event of this payload type that {@code match} accepts received so far (after one more poll), in order. */
    @SuppressWarnings("unchecked")
    public <P extends Payload> List<Event<P>> all(Class<P> type, Predicate<Event<?>> match) {
        poll();
        return received.stream().filter(e -> type.isInstance(e.payload()) && match.test(e)).map(e -> (Event<P>) e)
                .toList();
    }

    /** Every event of this payload type and correlation id received so far (after one more poll), in order. */
    @SuppressWarnings("unchecked")
    public <P extends Payload> List<Event<P>> all(Class<P> type, String correlationId) {
        poll();
        return received.stream().filter(e -> type.isInstance(e.payload()) && e.correlationId().equals(correlationId))
                .map(e -> (Event<P>) e).toList();
    }

    /**
     * The records of the dead-letter topic whose key is one of {@code keys} (read from its beginning), once each key
     * was seen at least once or {@code timeout} passed; several consumers of one topic dead-letter a record each.
     */
    public List<ConsumerRecord<String, byte[]>> deadLetters(Set<String> keys, Duration timeout) {
        try (KafkaConsumer<String, byte[]> letters = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "probe-dead-letters-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            letters.subscribe(List.of(Topics.DEAD_LETTER));
            List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
            Set<String> missing = new HashSet<>(keys);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!missing.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> record : letters.poll(Duration.ofMillis(500))) {
                    if (record.key() != null && keys.contains(record.key())) {
                        found.add(record);
                        missing.remove(record.key());
                    }
                }
            }
            return found;
        }
    }

    @Override
    public void close() {
        producer.close();
        rawProducer.close();
        consumer.close();
    }
}
