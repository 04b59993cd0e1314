package ai.booth.infra;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.DatasetRejected;
import ai.booth.contracts.Event;
import ai.booth.contracts.EventSerde;
import ai.booth.contracts.Topics;
import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The child-process infrastructure is a real Kafka broker and a real S3 server, keeps its data, and stops and starts
 * its broker alone on request.
 */
class InfraProcessTest {

    @TempDir
    Path data;

    @Test
    void servesKafkaAndS3AndKeepsDataAcrossRestarts() throws Exception {
        InfraProcess.Settings settings = InfraProcess.Settings.ephemeral(data);
        Event<DatasetRejected> event = Event.of("ds-1", "owner-a", new DatasetRejected("ds-1", List.of("x.txt"), null));
        ProcessHandle first;
        try (InfraProcess infra = InfraProcess.start(settings)) {
            first = infra.handle();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", infra.kafkaBootstrap()))) {
                Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
                assertTrue(topics.containsAll(Topics.ALL), "missing topics in " + topics);
                assertEquals(expectedRetentions(), retentions(admin), "retention.ms of Booth's topics");
            }
            MinioClient s3 = minio(infra);
            for (String bucket : Buckets.ALL) {
                assertTrue(s3.bucketExists(BucketExistsArgs.builder().bucket(bucket).build()), bucket);
            }
            byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
            s3.putObject(PutObjectArgs.builder().bucket(Buckets.DATASETS).object("o/ds-1/raw/a.txt")
                    .stream(new ByteArrayInputStream(body), body.length, -1).contentType("text/plain").build());
            try (var producer = new KafkaProducer<>(Map.<String, Object>of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrap()),
                    new StringSerializer(), new EventSerde())) {
                producer.send(new ProducerRecord<>(event.topic(), event.correlationId(), event)).get();
            }
        }
        first.onExit().get(10, TimeUnit.SECONDS);
        assertFalse(first.isAlive(), "infra process still alive after close");

        try (InfraProcess infra = InfraProcess.start(settings)) {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", infra.kafkaBootstrap()))) {
                assertEquals(expectedRetentions(), retentions(admin), "retention.ms after a restart");
            }
            try (InputStream in = minio(infra).getObject(GetObjectArgs.builder().bucket(Buckets.DATASETS)
                    .object("o/ds-1/raw/a.txt").build())) {
                assertEquals("hello", new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            assertEquals(List.of(event), consumeAll(infra.kafkaBootstrap(), Topics.DATASET_REJECTED, 1));
        }
    }

    /**
     * A fault test's lost broker: stopped, it answers no client while S3 serves on; started again, it still has the
     * records from before, and a record a producer sent while it was away is delivered. A command it cannot carry out
     * (starting it twice) is an IOException naming the log.
     */
    @Test
    void aBrokerStoppedAloneAnswersNobodyAndKeepsItsRecordsWhenStartedAgain() throws Exception {
        // one correlation id: one partition, so the records are read in the order they were sent
        Event<DatasetRejected> before = Event.of("ds-1", "owner-a", new DatasetRejected("ds-1", List.of("a"), null));
        Event<DatasetRejected> during = Event.of("ds-1", "owner-a", new DatasetRejected("ds-1", List.of("b"), null));
        try (InfraProcess infra = InfraProcess.start(InfraProcess.Settings.ephemeral(data));
             var producer = new KafkaProducer<>(Map.<String, Object>of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrap()),
                     new StringSerializer(), new EventSerde())) {
            producer.send(new ProducerRecord<>(before.topic(), before.correlationId(), before)).get();

            infra.stopKafka();
            // send() itself may wait for the broker (Kafka 4 clients forget the topics when every broker is lost,
            // up to max.block.ms), so it runs off this thread
            CompletableFuture<RecordMetadata> sent = new CompletableFuture<>();
            CompletableFuture.runAsync(() -> producer.send(new ProducerRecord<>(during.topic(),
                    during.correlationId(), during), (metadata, e) -> {
                if (e == null) {
                    sent.complete(metadata);
                } else {
                    sent.completeExceptionally(e);
                }
            }));
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", infra.kafkaBootstrap(),
                    "request.timeout.ms", 1000, "default.api.timeout.ms", 2000))) {
                ExecutionException refused = assertThrows(ExecutionException.class,
                        () -> admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS));
                assertInstanceOf(org.apache.kafka.common.errors.TimeoutException.class, refused.getCause());
            }
            assertFalse(sent.isDone(), "a record sent while the broker is away waits for it");
            assertTrue(minio(infra).bucketExists(BucketExistsArgs.builder().bucket(Buckets.DATASETS).build()),
                    "S3 serves on");

            infra.startKafka();
            sent.get(60, TimeUnit.SECONDS);
            assertEquals(List.of(before, during), consumeAll(infra.kafkaBootstrap(), Topics.DATASET_REJECTED, 2));

            IOException twice = assertThrows(IOException.class, infra::startKafka);
            assertTrue(twice.getMessage().contains(infra.settings().logFile().toString()), twice.getMessage());
        }
    }

    /** Requests and results kept forever, progress a week, dead letters 30 days: Topics.retentionMs. */
    private static Map<String, Long> expectedRetentions() {
        Map<String, Long> expected = new TreeMap<>();
        for (String topic : Topics.ALL) {
            expected.put(topic, Topics.retentionMs(topic));
        }
        assertEquals(-1L, expected.get(Topics.TRAINING_REQUESTED));
        assertEquals(-1L, expected.get(Topics.GENERATION_COMPLETED));
        return expected;
    }

    private static Map<String, Long> retentions(Admin admin) throws Exception {
        List<ConfigResource> resources = Topics.ALL.stream()
                .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
        Map<String, Long> actual = new TreeMap<>();
        admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS).forEach((resource, config) ->
                actual.put(resource.name(), Long.parseLong(config.get(TopicConfig.RETENTION_MS_CONFIG).value())));
        return actual;
    }

    private static MinioClient minio(InfraProcess infra) {
        return MinioClient.builder().endpoint(infra.s3Endpoint()).region("us-east-1")
                .credentials(infra.settings().accessKey(), infra.settings().secretKey()).build();
    }

    private static List<Event<?>> consumeAll(String bootstrap, String topic, int expected) {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "infra-test", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<Event<?>> events = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new EventSerde())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (events.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, Event<?>> record : consumer.poll(Duration.ofMillis(500))) {
                    events.add(record.value());
                }
            }
        }
        return events;
    }
}
