package ai.booth.service;

import ai.booth.contracts.Event;
import ai.booth.contracts.EventSerde;
import ai.booth.contracts.Topics;
import ai.booth.contracts.TrainingCancelRequested;
import ai.booth.testing.BoothInfraResource;
import ai.booth.testing.DeadLetterProbe;
import ai.booth.testing.EventProbe;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.DeserializationFailureHandler;
import io.smallrye.reactive.messaging.kafka.IncomingKafkaRecord;
import io.smallrye.reactive.messaging.kafka.commit.KafkaCommitHandler;
import jakarta.inject.Inject;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The connector's failure strategy ({@link DeadLetterStrategy}, service-common's default) on a channel that reads
 * events with {@code EventSerde} ({@link ConsumedCancels}), through the real broker: an unreadable record, or an
 * event its consumer fails on, goes to the dead-letter topic with its bytes and reason and the channel reads on. A
 * dead-letter topic that refuses writes for a while (the broker refusing every record: its {@code max.message.bytes}
 * lowered to 1 byte, then restored) holds the channel up until the dead letter is in; SmallRye's own
 * {@code dead-letter-queue} strategy stopped the channel for good there. Closing the channel ends the tries.
 */
@QuarkusTest
@WithTestResource(BoothInfraResource.class)
class DeadLetterStrategyTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final byte[] NOT_JSON = "{ not json".getBytes(StandardCharsets.UTF_8);

    @Inject
    ConsumedCancels consumer;

    @Inject
    DeadLetters deadLetters;

    @AfterEach
    void deadLetterTopicWritable() throws Exception {
        deadLetterTopicRefusesWrites(false);
    }

    @Test
    void anUnreadableRecordIsDeadLetteredWithItsBytesAndReasonAndTheChannelReadsTheNextRecord() throws Exception {
        try (EventProbe probe = EventProbe.forApplication()) {
            String key = UUID.randomUUID().toString(); // one key: one partition, the good record after the bad one
            probe.publishRaw(Topics.TRAINING_CANCEL_REQUESTED, key, NOT_JSON);
            Event<TrainingCancelRequested> next = cancel(key, "changed my mind");
            probe.publish(next);

            awaitConsumed(next);
            assertUnreadableRecordDeadLettered(key);
        }
    }

    @Test
    void anUnreadableRecordMetWhileTheDeadLetterTopicRefusesWritesIsDeadLetteredOnceItTakesThemAndTheChannelReadsOn()
            throws Exception {
        try (EventProbe probe = EventProbe.forApplication()) {
            String key = UUID.randomUUID().toString();
            Event<TrainingCancelRequested> first = cancel(key, "first");
            probe.publish(first);
            awaitConsumed(first); // the channel is reading: the unreadable record will meet the refusing topic
            deadLetterTopicRefusesWrites(true);
            probe.publishRaw(Topics.TRAINING_CANCEL_REQUESTED, key, NOT_JSON);
            // the channel reads it and tries to dead-letter it, and Kafka refuses, for these 4 s
            assertEquals(List.of(), DeadLetterProbe.read(bootstrap(), key, 1, Duration.ofSeconds(4)),
                    "no dead letter while the topic refuses them");
            deadLetterTopicRefusesWrites(false);

            Event<TrainingCancelRequested> next = cancel(key, "changed my mind");
            probe.publish(next);
            awaitConsumed(next);
            assertUnreadableRecordDeadLettered(key);
        }
    }

    @Test
    void anEventItsConsumerFailsOnIsDeadLetteredAsItsJsonWithTheReasonAndTheChannelReadsTheNextRecord()
            throws Exception {
        try (EventProbe probe = EventProbe.forApplication()) {
            String key = UUID.randomUUID().toString();
            Event<TrainingCancelRequested> refused = cancel(key, ConsumedCancels.REFUSE);
            probe.publish(refused);
            Event<TrainingCancelRequested> next = cancel(key, "changed my mind");
            probe.publish(next);

            awaitConsumed(next);
            List<ConsumerRecord<String, byte[]>> dead = DeadLetterProbe.read(bootstrap(), key, 1, WAIT);
            assertEquals(1, dead.size(), "the refused event is dead-lettered once");
            ConsumerRecord<String, byte[]> letter = dead.get(0);
            assertEquals(refused, EventSerde.fromJson(DeadLetters.originalValue(letter)),
                    "the value is the event as EventSerde JSON (not Java serialisation)");
            assertEquals("the consumer cannot process cancel " + refused.eventId(),
                    DeadLetterProbe.header(letter, DeadLetters.ERROR));
            assertEquals(Topics.TRAINING_CANCEL_REQUESTED, DeadLetterProbe.header(letter, DeadLetters.ORIGINAL_TOPIC));
            assertTrue(!consumer.consumed(refused), "the consumer never took it");
        }
    }

    @Test
    void aDeadLetterStillRefusedWhenTheChannelClosesIsNoLongerTriedAndItsRecordStaysUnacknowledged()
            throws Exception {
        AtomicInteger acks = new AtomicInteger();
        KafkaCommitHandler commits = new KafkaCommitHandler() {
            @Override
            public <K, V> Uni<Void> handle(IncomingKafkaRecord<K, V> record) {
                acks.incrementAndGet();
                return Uni.createFrom().voidItem();
            }
        };
        var handler = new DeadLetterStrategy.Handler("closing", deadLetters,
                Backoff.of(Duration.ofMillis(200), Duration.ofMillis(400)));
        String key = UUID.randomUUID().toString();
        var record = new IncomingKafkaRecord<>(new ConsumerRecord<>(Topics.TRAINING_CANCEL_REQUESTED, 0, 7L, key,
                NOT_JSON), "closing", 0, commits, handler, false);
        deadLetterTopicRefusesWrites(true);

        CompletableFuture<Void> handled = handler.handle(record, new IllegalStateException("refused"),
                Metadata.empty()).subscribeAsCompletionStage();
        Thread.sleep(1_500); // several sends refused
        assertTrue(!handled.isDone(), "still trying while the channel is open");
        handler.terminate();

        var failure = assertThrows(ExecutionException.class, () -> handled.get(10, TimeUnit.SECONDS));
        assertTrue(failure.getCause().getMessage().contains("closed before"), failure.toString());
        assertEquals(0, acks.get(), "never acknowledged: a restart delivers it again");
        deadLetterTopicRefusesWrites(false);
        assertEquals(List.of(), DeadLetterProbe.read(bootstrap(), key, 1, Duration.ofSeconds(3)), "nor sent later");
    }

    private static Event<TrainingCancelRequested> cancel(String key, String reason) {
        return Event.of(key, "hana", new TrainingCancelRequested(key, reason));
    }

    private void awaitConsumed(Event<?> event) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!consumer.consumed(event)) {
            if (System.nanoTime() > deadline) {
                fail("the channel did not consume the record after the failed one within " + WAIT);
            }
            Thread.sleep(100);
        }
    }

    private static void assertUnreadableRecordDeadLettered(String key) {
        List<ConsumerRecord<String, byte[]>> dead = DeadLetterProbe.read(bootstrap(), key, 1, WAIT);
        assertEquals(1, dead.size(), "the unreadable record is dead-lettered once");
        ConsumerRecord<String, byte[]> letter = dead.get(0);
        assertArrayEquals(NOT_JSON, DeadLetters.originalValue(letter), "its bytes are kept");
        String reason = DeadLetterProbe.header(letter, DeadLetters.ERROR);
        assertTrue(reason.startsWith("not a valid Booth event"), reason);
        assertEquals(Topics.TRAINING_CANCEL_REQUESTED, DeadLetterProbe.header(letter, DeadLetters.ORIGINAL_TOPIC));
        assertTrue(DeadLetterProbe.header(letter, DeadLetters.ORIGINAL_OFFSET) != null);
        assertNull(letter.headers().lastHeader(DeserializationFailureHandler.DESERIALIZATION_FAILURE_DLQ),
                "a reader of the dead-letter topic is not told to dead-letter it again");
    }

    /**
     * Makes the broker refuse every record written to the dead-letter topic ({@code max.message.bytes} of 1 byte), or
     * take them again (the broker's default), and returns once a write shows it.
     */
    private static void deadLetterTopicRefusesWrites(boolean refuse) throws Exception {
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, Topics.DEAD_LETTER);
        AlterConfigOp change = refuse
                ? new AlterConfigOp(new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "1"), AlterConfigOp.OpType.SET)
                : new AlterConfigOp(new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, ""),
                AlterConfigOp.OpType.DELETE);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()));
             KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()), new StringSerializer(),
                     new StringSerializer())) {
            admin.incrementalAlterConfigs(Map.of(topic, List.of(change))).all().get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (refused(producer) != refuse) {
                if (System.nanoTime() > deadline) {
                    fail("the dead-letter topic still " + (refuse ? "takes" : "refuses") + " records");
                }
                Thread.sleep(200);
            }
        }
    }

    /** Whether the dead-letter topic refuses a record (one no test looks for, when it takes it). */
    private static boolean refused(KafkaProducer<String, String> producer) throws InterruptedException {
        try {
            producer.send(new ProducerRecord<>(Topics.DEAD_LETTER, "write-check", "x")).get(30, TimeUnit.SECONDS);
            return false;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RecordTooLargeException) {
                return true;
            }
            throw new AssertionError("the dead-letter topic failed otherwise", e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the broker did not answer", e);
        }
    }

    private static String bootstrap() {
        return ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    }
}
