package ai.booth.trainer;

import ai.booth.contracts.Event;
import ai.booth.contracts.TrainingFailed;
import ai.booth.contracts.TrainingRequested;
import ai.booth.service.ObjectStore;
import ai.booth.testing.BoothInfraResource;
import ai.booth.testing.EventProbe;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@WithTestResource(value = BoothInfraResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class TrainingRequestConsumerTest {

    @Inject
    ObjectStore store;

    @Test
    void eachAdmissionRuleAnswersWithItsOwnCode() throws Exception {
        TrainingFixtures.installModel(store);
        String ready = TrainingFixtures.dataset(store, "alice", 1, 64);
        try (EventProbe probe = EventProbe.forApplication()) {
            TrainingRequested valid = TrainingFixtures.request(ready, 1, 0);
            assertOutcome(probe, withRank(valid, 0), "INVALID_REQUEST", "rank must be in [1, 128], got 0");
            assertOutcome(probe, TrainingFixtures.request("missing", 1, 0), "DATASET_NOT_READY", "dataset missing");
            assertOutcome(probe, withModel(valid, "nope"), "MODEL_NOT_FOUND", "'nope'");
            assertOutcome(probe, TrainingFixtures.request(ready, 1, 0, true, 0, 0, List.of()), "INVALID_REQUEST",
                    "classImageCount > 0");
            assertOutcome(probe, TrainingFixtures.tuned(withRank(valid, 4), 0.1, 50.0), "INVALID_REQUEST",
                    "snrGamma must be in [0, 20], got 50.0");
            assertOutcome(probe, withMode(valid, "half"), "INVALID_REQUEST", "mode must be one of [lora, full, pivotal, textual_inversion]");
        }
    }

    private static void assertOutcome(EventProbe probe, TrainingRequested request, String code, String detail)
            throws Exception {
        probe.publish(Event.of(request.trainingId(), "alice", request));
        TrainingFailed failed = probe.await(TrainingFailed.class, request.trainingId(), Duration.ofSeconds(60))
                .payload();
        assertEquals(code, failed.code(), failed.message());
        assertTrue(failed.message().contains(detail), failed.message());
        assertNull(failed.step(), "failed before the first step");
    }

    private static TrainingRequested withRank(TrainingRequested r, int rank) {
        return new TrainingRequested(UUID.randomUUID().toString(), r.baseModel(), r.datasetId(), r.instanceToken(),
                r.classNoun(), r.instancePrompt(), r.classPrompt(), r.priorPreservation(), r.priorLossWeight(),
                r.classImageCount(), r.resolution(), r.maxTrainSteps(), r.batchSize(), rank, r.alpha(),
                r.unetLearningRate(), r.textEncoderLearningRate(), r.lrScheduler(), r.lrWarmupSteps(), r.seed(),
                r.checkpointInterval(), r.validationInterval(), r.validationPrompts());
    }

    private static TrainingRequested withMode(TrainingRequested r, String mode) {
        return new TrainingRequested(UUID.randomUUID().toString(), r.baseModel(), r.datasetId(), r.instanceToken(),
                r.classNoun(), r.instancePrompt(), r.classPrompt(), r.priorPreservation(), r.priorLossWeight(),
                r.classImageCount(), r.resolution(), r.maxTrainSteps(), r.batchSize(), r.rank(), r.alpha(),
                r.unetLearningRate(), r.textEncoderLearningRate(), r.lrScheduler(), r.lrWarmupSteps(), r.seed(),
                r.checkpointInterval(), r.validationInterval(), r.validationPrompts(), mode);
    }

    private static TrainingRequested withModel(TrainingRequested r, String model) {
        return new TrainingRequested(UUID.randomUUID().toString(), model, r.datasetId(), r.instanceToken(),
                r.classNoun(), r.instancePrompt(), r.classPrompt(), r.priorPreservation(), r.priorLossWeight(),
                r.classImageCount(), r.resolution(), r.maxTrainSteps(), r.batchSize(), r.rank(), r.alpha(),
                r.unetLearningRate(), r.textEncoderLearningRate(), r.lrScheduler(), r.lrWarmupSteps(), r.seed(),
                r.checkpointInterval(), r.validationInterval(), r.validationPrompts());
    }
}
