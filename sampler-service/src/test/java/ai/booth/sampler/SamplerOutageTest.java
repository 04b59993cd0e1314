package ai.booth.sampler;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.Event;
import ai.booth.contracts.GeneratedImage;
import ai.booth.contracts.GenerationCompleted;
import ai.booth.contracts.GenerationFailed;
import ai.booth.contracts.GenerationRequested;
import ai.booth.service.GenerationResults;
import ai.booth.service.ObjectStore;
import ai.booth.service.models.ModelRegistry;
import ai.booth.testing.EventProbe;
import ai.booth.testing.S3Outage;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A generation whose S3 reads or writes meet an outage (the server lost, its port refusing) waits for S3 and
 * completes once it is back, with exactly its images, each stored once; only an outage longer than
 * {@code booth.sampler.outage-wait} (12 s here) fails it, naming S3. Through the real broker and S3 server, S3 behind
 * a relay that the test cuts ({@link S3Outage}).
 */
@QuarkusTest
@WithTestResource(value = S3Outage.class, scope = TestResourceScope.MATCHING_RESOURCES,
        initArgs = @ResourceArg(name = "booth.sampler.outage-wait", value = "PT12S"))
class SamplerOutageTest {

    private static final Duration WAIT = Duration.ofMinutes(5); // renders queue behind one another on a loaded CPU
    private static final String OWNER = "alice";

    @Inject
    ObjectStore store;

    @Inject
    ModelRegistry registry;

    @AfterEach
    void s3Back() {
        S3Outage.restore();
    }

    @Test
    void aRequestArrivingWhileS3IsLostCompletesWithItsImagesOnceS3IsBack() throws Exception {
        GenerationRequested request = SamplerFixture.request(registry, "a photo of sks dog", 42, 2, List.of(), null);
        try (EventProbe probe = EventProbe.forApplication()) {
            S3Outage.cut();
            probe.publish(Event.of(request.generationId(), OWNER, request));
            Thread.sleep(4_000); // the sampler gets the request and finds S3 gone
            assertNoFailure(probe, request);
            S3Outage.restore();

            GenerationCompleted done = probe.await(GenerationCompleted.class, request.generationId(), WAIT).payload();
            assertExactlyItsImages(request, done);
        }
    }

    @Test
    void anOutageMidRenderIsWaitedOutAndEachImageIsStoredOnce() throws Exception {
        int count = 8; // two pipeline calls of booth.sampler.max-batch = 4: the cut lands after the first's uploads
        GenerationRequested base = SamplerFixture.request(registry, "a photo of sks dog", 7, count, List.of(), null);
        GenerationRequested request = new GenerationRequested(base.generationId(), base.baseModel(), base.prompt(),
                base.negativePrompt(), 8, base.guidanceScale(), base.seed(), count, base.width(), base.height(),
                base.scheduler(), base.clipSkip(), List.of(), null);
        try (EventProbe probe = EventProbe.forApplication()) {
            probe.publish(Event.of(request.generationId(), OWNER, request));
            String firstImage = Buckets.generationImageKey(OWNER, request.generationId(), 0);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!store.exists(Buckets.GENERATIONS, firstImage)) {
                assertTrue(System.nanoTime() < deadline, "no first image within " + WAIT);
                Thread.sleep(20);
            }

            S3Outage.cut();
            Thread.sleep(4_000);
            assertNoFailure(probe, request);
            assertTrue(probe.all(GenerationCompleted.class, request.generationId()).isEmpty(),
                    "the outage met the render: it had not completed before S3 was back");
            S3Outage.restore();

            GenerationCompleted done = probe.await(GenerationCompleted.class, request.generationId(), WAIT).payload();
            assertExactlyItsImages(request, done);
        }
    }

    @Test
    void anOutageOutlastingTheOutageWaitFailsTheGenerationNamingS3() throws Exception {
        GenerationRequested request = SamplerFixture.request(registry, "a photo of sks dog", 3, 1, List.of(), null);
        try (EventProbe probe = EventProbe.forApplication()) {
            S3Outage.cut();
            long start = System.nanoTime();
            probe.publish(Event.of(request.generationId(), OWNER, request));

            GenerationFailed failed = probe.await(GenerationFailed.class, request.generationId(), WAIT).payload();
            long waited = Duration.ofNanos(System.nanoTime() - start).toSeconds();

            assertEquals("S3_UNAVAILABLE", failed.code(), failed.message());
            assertTrue(failed.message().contains("S3 stayed unavailable after waiting 12 s"), failed.message());
            assertTrue(waited >= 12, "failed after " + waited + " s, before the outage wait was spent");
            assertTrue(probe.all(GenerationCompleted.class, request.generationId()).isEmpty());
        }
    }

    private static void assertNoFailure(EventProbe probe, GenerationRequested request) {
        assertEquals(List.of(), probe.all(GenerationFailed.class, request.generationId()).stream()
                .map(e -> e.payload().code() + " " + e.payload().message()).toList(), "no failure for S3's fault");
    }

    /** The images asked for, with consecutive seeds, and nothing else under the generation but its result. */
    private void assertExactlyItsImages(GenerationRequested request, GenerationCompleted done) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < request.count(); i++) {
            keys.add(Buckets.generationImageKey(OWNER, request.generationId(), i));
        }
        assertEquals(keys, done.images().stream().map(GeneratedImage::key).toList());
        assertEquals(LongStream.range(request.seed(), request.seed() + request.count()).boxed().toList(),
                done.images().stream().map(GeneratedImage::seed).toList());
        List<String> stored = new ArrayList<>(keys);
        stored.add(Buckets.generationResultKey(OWNER, request.generationId()));
        assertEquals(stored.stream().sorted().toList(),
                store.list(Buckets.GENERATIONS, Buckets.generationPrefix(OWNER, request.generationId())),
                "each image stored once, and its result");
        assertEquals(done, GenerationResults.read(store, OWNER, request.generationId()).orElseThrow());
    }
}
