package ai.booth.trainer;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.Event;
import ai.booth.contracts.TrainingCompleted;
import ai.booth.contracts.TrainingFailed;
import ai.booth.contracts.TrainingProgress;
import ai.booth.contracts.TrainingRequested;
import ai.booth.service.ObjectStore;
import ai.booth.testing.EventProbe;
import ai.booth.testing.S3Outage;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A training whose S3 writes meet an outage (the server lost, its port refusing) waits for S3 and, once it is back,
 * resumes from its newest complete checkpoint and completes; only an outage longer than
 * {@code booth.trainer.outage-wait} (12 s here) fails it, naming S3. Through the real broker and S3 server, S3 behind
 * a relay that the test cuts ({@link S3Outage}).
 */
@QuarkusTest
@WithTestResource(value = S3Outage.class, scope = TestResourceScope.MATCHING_RESOURCES,
        initArgs = @ResourceArg(name = "booth.trainer.outage-wait", value = "PT12S"))
class TrainerOutageTest {

    private static final Duration WAIT = Duration.ofMinutes(5);
    private static final String OWNER = "alice";

    @Inject
    ObjectStore store;

    @BeforeEach
    void model() {
        TrainingFixtures.installModel(store);
    }

    @AfterEach
    void s3Back() {
        S3Outage.restore();
    }

    @Test
    void aTrainingWhoseCheckpointWriteMeetsAnOutageResumesFromItsCheckpointAndCompletes() throws Exception {
        String dataset = TrainingFixtures.dataset(store, OWNER, 1, 64);
        TrainingRequested request = TrainingFixtures.request(dataset, 30, 3);
        try (EventProbe probe = EventProbe.forApplication()) {
            probe.publish(Event.of(request.trainingId(), OWNER, request));
            TrainingProgress checkpointed = probe.<TrainingProgress>await(TrainingProgress.class,
                    e -> e.correlationId().equals(request.trainingId())
                            && ((TrainingProgress) e.payload()).checkpointKey() != null, WAIT).payload();

            S3Outage.cut(); // the next checkpoint's upload fails
            Thread.sleep(4_000);
            assertEquals(List.of(), probe.all(TrainingFailed.class, request.trainingId()).stream()
                    .map(e -> e.payload().code() + " " + e.payload().message()).toList(), "no failure for S3's fault");
            assertTrue(probe.all(TrainingCompleted.class, request.trainingId()).isEmpty(),
                    "the outage met the training: it had not completed before S3 was back");
            S3Outage.restore();

            TrainingCompleted done = probe.await(TrainingCompleted.class, request.trainingId(), WAIT).payload();
            assertEquals(30, done.steps());
            List<Integer> steps = probe.all(TrainingProgress.class, request.trainingId()).stream()
                    .map(e -> e.payload().step()).toList();
            List<Integer> afterCheckpoint = steps.subList(steps.indexOf(checkpointed.step()) + 1, steps.size());
            assertTrue(afterCheckpoint.stream().allMatch(step -> step > checkpointed.step()),
                    "never restarted below its checkpoint at step " + checkpointed.step() + ": " + steps);
            assertTrue(store.exists(Buckets.ADAPTERS, done.adapterKey()), done.adapterKey());
        }
    }

    @Test
    void anOutageOutlastingTheOutageWaitFailsTheTrainingNamingS3() throws Exception {
        String dataset = TrainingFixtures.dataset(store, OWNER, 1, 64);
        TrainingRequested request = TrainingFixtures.request(dataset, 4, 2);
        try (EventProbe probe = EventProbe.forApplication()) {
            S3Outage.cut();
            long start = System.nanoTime();
            probe.publish(Event.of(request.trainingId(), OWNER, request));

            TrainingFailed failed = probe.await(TrainingFailed.class, request.trainingId(), WAIT).payload();
            long waited = Duration.ofNanos(System.nanoTime() - start).toSeconds();

            assertEquals("S3_UNAVAILABLE", failed.code(), failed.message());
            assertTrue(failed.message().contains("S3 stayed unavailable after waiting 12 s"), failed.message());
            assertTrue(waited >= 12, "failed after " + waited + " s, before the outage wait was spent");
        }
    }
}
