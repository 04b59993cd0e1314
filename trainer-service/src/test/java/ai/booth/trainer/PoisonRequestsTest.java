package ai.booth.trainer;

import ai.booth.contracts.Event;
import ai.booth.contracts.Topics;
import ai.booth.contracts.TrainingFailed;
import ai.booth.contracts.TrainingRequested;
import ai.booth.service.DeadLetters;
import ai.booth.service.ObjectStore;
import ai.booth.testing.BoothInfraResource;
import ai.booth.testing.DeadLetterProbe;
import ai.booth.testing.EventProbe;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
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

        List<ConsumerRecord<String, byte[]>> dead = DeadLetterProbe.read(bootstrap, key, 2, Duration.ofSeconds(60));
        assertEquals(2, dead.size(), "dead letters for " + key);
        assertArrayEquals(malformed, dead.get(0).value(), "original bytes untouched");
        assertArrayEquals(future, dead.get(1).value());
        assertTrue(DeadLetterProbe.header(dead.get(0), DeadLetters.ERROR).contains("not a valid Booth event"),
                DeadLetterProbe.header(dead.get(0), DeadLetters.ERROR));
        assertTrue(DeadLetterProbe.header(dead.get(1), DeadLetters.ERROR).contains("schemaVersion 99"),
                DeadLetterProbe.header(dead.get(1), DeadLetters.ERROR));
        assertEquals(Topics.TRAINING_REQUESTED, DeadLetterProbe.header(dead.get(0), DeadLetters.ORIGINAL_TOPIC));
    }
}
