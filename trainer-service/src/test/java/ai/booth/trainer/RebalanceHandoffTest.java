package ai.booth.trainer;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.Event;
import ai.booth.contracts.EventSerde;
import ai.booth.contracts.TrainingCompleted;
import ai.booth.contracts.TrainingProgress;
import ai.booth.contracts.TrainingRequested;
import ai.booth.service.ObjectStore;
import ai.booth.service.handoff.JobHandoff;
import ai.booth.testing.BoothInfraResource;
import ai.booth.testing.EventProbe;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trainer's consumer under a revocation, driven through its rebalance listener as SmallRye drives it (on a
 * partition of a topic of its own, so the channel's real assignment does not interfere).
 */
@QuarkusTest
@WithTestResource(value = BoothInfraResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class RebalanceHandoffTest {

    private static final Duration WAIT = Duration.ofMinutes(5);
    private static final String OWNER = "carol";
    private static final TopicPartition MOVING = new TopicPartition("handoff-test", 0);
    private static final TopicPartition STAYING = new TopicPartition("handoff-test", 1);

    @Inject
    ObjectStore store;

    @Inject
    TrainingRequestConsumer consumer;

    @Inject
    JobHandoff handoff;

    @Test
    void aRevokedPartitionsTrainingStopsCheckpointedAndUnackedWhileTheNextPartitionsJobEnds() throws Exception {
        TrainingFixtures.installModel(store);
        String dataset = TrainingFixtures.dataset(store, OWNER, 1, 64);
        TrainingRequested moving = TrainingFixtures.request(dataset, 200, 2);
        handoff.onPartitionsAssigned(null, List.of(MOVING, STAYING));
        AtomicBoolean movingAcked = new AtomicBoolean();
        try (EventProbe probe = EventProbe.forApplication()) {
            CompletableFuture<Void> running = CompletableFuture.runAsync(() -> consumer.onRequested(
                    message(MOVING, moving, movingAcked)).toCompletableFuture().join());
            probe.await(TrainingProgress.class, e -> e.correlationId().equals(moving.trainingId())
                    && ((TrainingProgress) e.payload()).checkpointKey() != null, WAIT);

            handoff.onPartitionsRevoked(null, List.of(MOVING)); // returns once the job is at its safe point

            // the job closed its partition scope at its safe point; the consumer call returns right after (its ack
            // decision was made inside that scope), so it is done at once, not after more training steps
            running.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertFalse(movingAcked.get(), "a handed-over request must stay unacknowledged");
            String prefix = Buckets.checkpointPrefix(OWNER, moving.trainingId());
            assertTrue(store.exists(Buckets.CHECKPOINTS, prefix + JobObjects.POINTER), "no checkpoint to resume");
            assertFalse(store.exists(Buckets.CHECKPOINTS, prefix + JobObjects.OUTCOME), "a handed-over job has no outcome");

            AtomicBoolean laterAcked = new AtomicBoolean();
            consumer.onRequested(message(MOVING, TrainingFixtures.request(dataset, 2, 0), laterAcked))
                    .toCompletableFuture().join();
            assertFalse(laterAcked.get(), "a record of the revoked partition is the new owner's");

            TrainingRequested staying = TrainingFixtures.request(dataset, 2, 0);
            AtomicBoolean stayingAcked = new AtomicBoolean();
            consumer.onRequested(message(STAYING, staying, stayingAcked)).toCompletableFuture().join();
            probe.await(TrainingCompleted.class, staying.trainingId(), WAIT);
            assertTrue(stayingAcked.get(), "the job of a partition that stays runs to its end and is acknowledged");
        } finally {
            handoff.onPartitionsRevoked(null, List.of(STAYING));
        }
    }

    private static Message<byte[]> message(TopicPartition partition, TrainingRequested request, AtomicBoolean acked) {
        byte[] value = EventSerde.toJson(Event.of(request.trainingId(), OWNER, request));
        var record = new ConsumerRecord<String, byte[]>(partition.topic(), partition.partition(), 0, null, value);
        return Message.of(value, Metadata.of(new IncomingKafkaRecordMetadata<>(record, "training-requests")), () -> {
            acked.set(true);
            return CompletableFuture.completedFuture(null);
        });
    }
}
