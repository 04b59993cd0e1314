package ai.booth.trainer;

import ai.booth.contracts.Event;
import ai.booth.contracts.Topics;
import ai.booth.contracts.TrainingFailed;
import ai.booth.contracts.TrainingRequested;
import ai.booth.service.DeadLetters;
import ai.booth.service.ObjectStore;
import ai.booth.testing.BoothInfraResource;
import ai.booth.testing.EventProbe;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Records that are not training requests go to the dead-letter topic; the partition keeps flowing. */
@QuarkusTest
@WithTestResource(value = BoothInfraResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class PoisonRequestsTest {

    @Inject
    ObjectStore store;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void poisonGoesToTheDeadLetterTopicAndTheNextRequestIsStillTrained() throws Exception {
        String key = "poison-" + UUID.randomUUID();
        byte[] malformed = "{\"schemaVersion\": 1, \"type\": \"TrainingRequested\", \"payload\": {".getBytes(
                StandardCharsets.UTF_8);
        byte[] future = ("{\"schemaVersion\": 99, \"eventId\": \"" + UUID.randomUUID() + "\", \"type\": "
                + "\"TrainingRequested\", \"correlationId\": \"x\", \"ownerId\": \"alice\", \"occurredAt\": "
                + "\"2026-01-01T00:00:00Z\", \"payload\": {}}").getBytes(StandardCharsets.UTF_8);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(Topics.TRAINING_REQUESTED, key, malformed)).get();
            producer.send(new ProducerRecord<>(Topics.TRAINING_REQUESTED, key, future)).get();
        }
        // the same key, so the same partition: a good request right behind the poison is still processed
        TrainingFixtures.installModel(store);
        TrainingRequested good = TrainingFixtures.request("no-such-dataset", 1, 0);
        try (EventProbe probe = EventProbe.forApplication()) {
            probe.publish(new Event<>(Event.SCHEMA_VERSION, UUID.randomUUID(), "TrainingRequested", key, "alice",
                    java.time.Instant.now(), good));
            assertEquals("DATASET_NOT_READY", probe.await(TrainingFailed.class,
                    e -> ((TrainingFailed) e.payload()).trainingId().equals(good.trainingId()), Duration.ofSeconds(60))
                    .payload().code());
        }

        List<ConsumerRecord<String, byte[]>> dead = deadLetters(key, 2);
        assertArrayEquals(malformed, dead.get(0).value(), "original bytes untouched");
        assertArrayEquals(future, dead.get(1).value());
        assertTrue(header(dead.get(0), DeadLetters.ERROR).contains("not a valid Booth event"),
                header(dead.get(0), DeadLetters.ERROR));
        assertTrue(header(dead.get(1), DeadLetters.ERROR).contains("schemaVersion 99"),
                header(dead.get(1), DeadLetters.ERROR));
        assertEquals(Topics.TRAINING_REQUESTED, header(dead.get(0), DeadLetters.ORIGINAL_TOPIC));
    }

    private List<ConsumerRecord<String, byte[]>> deadLetters(String key, int count) {
        List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.GROUP_ID_CONFIG,
                "dlq-probe-" + UUID.randomUUID(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(Topics.DEAD_LETTER));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (found.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (key.equals(r.key())) {
                        found.add(r);
                    }
                });
            }
        }
        assertEquals(count, found.size(), "dead letters for " + key);
        return found;
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }
}
