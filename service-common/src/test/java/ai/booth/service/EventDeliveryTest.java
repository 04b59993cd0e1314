package ai.booth.service;

import ai.booth.contracts.Event;
import ai.booth.contracts.GenerationFailed;
import ai.booth.testing.BoothInfraResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link EventMessages#deliver} through the real broker: an outcome the broker cannot take for a while — its topic
 * has no leader, as for a producer whose brokers are all gone, so each send fails with a retriable timeout after the
 * producer's {@code max.block.ms} — is sent again until the broker takes it, and arrives once. {@code send} alone
 * fails.
 */
@QuarkusTest
@WithTestResource(BoothInfraResource.class)
class EventDeliveryTest {

    private static final String TOPIC = "booth-test-deliveries";

    @Inject
    Deliveries deliveries;

    @Test
    void anOutcomeTheBrokerCannotTakeForAWhileIsSentAgainUntilTakenAndArrivesOnce() throws Exception {
        String id = UUID.randomUUID().toString();
        Event<GenerationFailed> event = Event.of(id, "hana", new GenerationFailed(id, "INTERNAL", "a stored outcome"));
        CompletableFuture<Void> sent = EventMessages.send(deliveries.emitter(), event).toCompletableFuture();
        CompletableFuture<Void> delivered = CompletableFuture.runAsync(
                () -> EventMessages.deliver(deliveries.emitter(), event));
        Thread.sleep(8_000); // several of the producer's 2-s waits

        assertTrue(sent.isCompletedExceptionally(), "a plain send gives up");
        assertFalse(delivered.isDone(), "deliver neither gave up nor threw: it is still sending");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        delivered.get(60, TimeUnit.SECONDS);

        assertEquals(1, records(id).size(), "taken once: the refused tries left nothing behind");
    }

    /** The topic's records keyed {@code id}, read from its beginning until a poll brings nothing new. */
    private static List<ConsumerRecord<String, byte[]>> records(String id) {
        List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, "delivery-test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(TOPIC));
            int polls = 0;
            while (found.isEmpty() && polls++ < 50 || polls < 60 && !consumer.poll(Duration.ZERO).isEmpty()) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (id.equals(r.key())) {
                        found.add(r);
                    }
                });
            }
        }
        return found;
    }

    private static String bootstrap() {
        return ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    }
}
