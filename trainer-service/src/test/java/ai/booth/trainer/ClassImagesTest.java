package ai.booth.trainer;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.Event;
import ai.booth.contracts.GeneratedImage;
import ai.booth.contracts.GenerationCompleted;
import ai.booth.contracts.GenerationRequested;
import ai.booth.contracts.TrainingCompleted;
import ai.booth.contracts.TrainingRequested;
import ai.booth.service.GenerationResults;
import ai.booth.service.ObjectStore;
import ai.booth.service.models.ModelRegistry;
import ai.booth.testing.BoothInfraResource;
import ai.booth.testing.EventProbe;
import ai.booth.testing.TestImages;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Prior preservation's class images come from the sampler over Kafka and are cached by content. The sampler's part
 * is played here by the test: STAND-IN class images (synthetic PNGs, not renders) written the way sampler-service
 * stores a generation (images, then result.json last) — the trainer only needs the stored set and the events.
 */
@QuarkusTest
@WithTestResource(value = BoothInfraResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class ClassImagesTest {

    private static final Duration WAIT = Duration.ofMinutes(5);

    @Inject
    ObjectStore store;

    @Inject
    ObjectMapper json;

    @Test
    void aMissingSetIsRequestedFromTheSamplerAndTheNextTrainingReusesIt() throws Exception {
        TrainingFixtures.installModel(store);
        String modelHash = new ModelRegistry(store).manifest(TrainingFixtures.MODEL).orElseThrow().contentHash();
        String dataset = TrainingFixtures.dataset(store, "carol", 1, 64);
        TrainingRequested first = TrainingFixtures.request(dataset, 2, 0, true, 3, 0, List.of());
        String generationId = ClassImages.generationId(modelHash, first.classPrompt(), null, first.seed(), 3,
                first.resolution(), first.resolution());
        try (EventProbe probe = EventProbe.forApplication()) {
            probe.publish(Event.of(first.trainingId(), "carol", first));
            Event<GenerationRequested> asked = probe.await(GenerationRequested.class, generationId, WAIT);
            GenerationRequested request = asked.payload();
            assertEquals(Buckets.SYSTEM_OWNER, asked.ownerId());
            assertEquals(first.classPrompt(), request.prompt());
            assertEquals(3, request.count());
            assertEquals(first.resolution(), request.width());
            assertEquals(first.seed(), request.seed());
            probe.publish(asked.next(actAsSampler(request)));
            TrainingCompleted done = probe.await(TrainingCompleted.class, first.trainingId(), WAIT).payload();
            assertEquals(3, classImages(done));

            TrainingRequested second = TrainingFixtures.request(dataset, 2, 0, true, 3, 0, List.of());
            probe.publish(Event.of(second.trainingId(), "carol", second));
            assertEquals(3, classImages(probe.await(TrainingCompleted.class, second.trainingId(), WAIT).payload()));
            assertEquals(1, probe.all(GenerationRequested.class, generationId).size(), "the second reused the set");
        }
    }

    /** Stores stand-in images and result.json as sampler-service does, and answers like it. */
    private GenerationCompleted actAsSampler(GenerationRequested request) throws Exception {
        List<GeneratedImage> images = new ArrayList<>();
        for (int i = 0; i < request.count(); i++) {
            String key = Buckets.generationImageKey(Buckets.SYSTEM_OWNER, request.generationId(), i);
            store.put(Buckets.GENERATIONS, key, TestImages.png(request.width(), request.height()), "image/png");
            images.add(new GeneratedImage(key, request.seed() + i, 1));
        }
        GenerationCompleted done = new GenerationCompleted(request.generationId(), images, null, 1, null);
        GenerationResults.write(store, Buckets.SYSTEM_OWNER, done);
        return done;
    }

    private int classImages(TrainingCompleted done) throws Exception {
        String metadata = done.adapterKey().substring(0, done.adapterKey().lastIndexOf('/') + 1) + "metadata.json";
        int count = json.readTree(store.get(Buckets.ADAPTERS, metadata)).get("class_images").asInt();
        assertTrue(count > 0, "trained with prior preservation");
        return count;
    }
}
