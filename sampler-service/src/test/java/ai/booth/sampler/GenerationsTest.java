package ai.booth.sampler;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.Event;
import ai.booth.contracts.EventSerde;
import ai.booth.contracts.GeneratedImage;
import ai.booth.contracts.GenerationCompleted;
import ai.booth.contracts.GenerationFailed;
import ai.booth.contracts.GenerationRequested;
import ai.booth.contracts.GridAxis;
import ai.booth.contracts.GridSpec;
import ai.booth.contracts.LoraRef;
import ai.booth.contracts.Topics;
import ai.booth.contracts.rules.GenerationRules;
import ai.booth.service.DeadLetters;
import ai.booth.service.GenerationResults;
import ai.booth.service.ObjectStore;
import ai.booth.service.models.ModelRegistry;
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
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static ai.booth.sampler.SamplerFixture.ADAPTER_KEY;
import static ai.booth.sampler.SamplerFixture.png;
import static ai.booth.sampler.SamplerFixture.request;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** sampler-service through the real broker and S3 server, rendering with the tiny fixture model. */
@QuarkusTest
@WithTestResource(value = BoothInfraResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class GenerationsTest {

    private static final Duration WAIT = Duration.ofSeconds(120);

    @Inject
    ObjectStore store;

    @Inject
    ModelRegistry registry;

    @Inject
    Generations generations;

    @BeforeEach
    void adapter() {
        SamplerFixture.installAdapter(store);
    }

    @Test
    void aRequestWithAnAdapterEndsWithPngsTheirParametersAndAResult() throws Exception {
        GenerationRequested request = accelerated(request(registry, "a photo of sks dog", 42, 2,
                List.of(new LoraRef(ADAPTER_KEY, 0.8, 0.5)), null), 2);
        try (EventProbe probe = EventProbe.forApplication()) {
            probe.publish(Event.of(request.generationId(), "alice", request));
            GenerationCompleted done = probe.await(GenerationCompleted.class, request.generationId(), WAIT).payload();

            assertEquals(List.of(Buckets.generationImageKey("alice", request.generationId(), 0),
                    Buckets.generationImageKey("alice", request.generationId(), 1)),
                    done.images().stream().map(GeneratedImage::key).toList());
            assertEquals(List.of(42L, 43L), done.images().stream().map(GeneratedImage::seed).toList());
            assertNotNull(done.timings());
            assertTrue(done.totalMillis() >= done.timings().sampleMillis(), done.toString());
            for (GeneratedImage image : done.images()) {
                String parameters = png(store, image.key()).parameters();
                assertTrue(parameters.startsWith("a photo of sks dog <lora:pytorch_lora_weights:"), parameters);
                assertTrue(parameters.contains("Seed: " + image.seed()), parameters);
                assertTrue(parameters.contains("Negative prompt: blurry"), parameters);
                assertTrue(parameters.contains("DeepCache: 2") && parameters.contains("ToMe: 0.5"),
                        "rendered with the request's DeepCache and ToMe: " + parameters);
            }
            assertEquals(done, GenerationResults.read(store, "alice", request.generationId()).orElseThrow());
        }
    }

    @Test
    void aGridRequestYieldsAContactSheetAndItsCells() throws Exception {
        GenerationRequested request = request(registry, "a photo of sks dog", 7, 1,
                List.of(new LoraRef(ADAPTER_KEY, 1, 1)), new GridSpec(new GridAxis("unetScale", List.of("0", "1")),
                        new GridAxis("seed", List.of("7", "8"))));
        try (EventProbe probe = EventProbe.forApplication()) {
            probe.publish(Event.of(request.generationId(), "alice", request));
            GenerationCompleted done = probe.await(GenerationCompleted.class, request.generationId(), WAIT).payload();

            assertEquals(Buckets.generationGridKey("alice", request.generationId()), done.gridKey());
            assertEquals(List.of(7L, 7L, 8L, 8L), done.images().stream().map(GeneratedImage::seed).toList());
            SamplerFixture.Png sheet = png(store, done.gridKey());
            SamplerFixture.Png cell = png(store, done.images().get(0).key());
            assertTrue(sheet.image().getWidth() >= 2 * cell.image().getWidth(), "two columns");
            assertTrue(sheet.image().getHeight() >= 2 * cell.image().getHeight(), "two rows");
            assertTrue(sheet.parameters().contains("X Type: UNet LoRA scale"), sheet.parameters());
            assertFalse(Arrays.equals(cell.rgb(), png(store, done.images().get(1).key()).rgb()),
                    "the adapter at scale 1 changes the image of scale 0");
        }
    }

    @Test
    void aDuplicateRequestIsAnsweredFromItsResultWithoutRendering() throws Exception {
        GenerationRequested request = request(registry, "a photo of sks dog", 5, 1, List.of(), null);
        try (EventProbe probe = EventProbe.forApplication()) {
            probe.publish(Event.of(request.generationId(), "alice", request));
            GenerationCompleted first = probe.await(GenerationCompleted.class, request.generationId(), WAIT)
                    .payload();
            var rendered = store.stat(Buckets.GENERATIONS, first.images().get(0).key()).orElseThrow();

            Event<GenerationRequested> again = Event.of(request.generationId(), "alice", request);
            probe.publish(again);
            GenerationCompleted second = probe.await(GenerationCompleted.class, e -> isAnswerTo(e, again), WAIT)
                    .payload();

            assertEquals(first, second, "the same result, timings included: nothing was rendered again");
            assertEquals(rendered, store.stat(Buckets.GENERATIONS, first.images().get(0).key()).orElseThrow());
        }
    }

    /** A completed event published after {@code request} (events of one request share the correlation id). */
    private static boolean isAnswerTo(Event<?> event, Event<?> request) {
        return event.correlationId().equals(request.correlationId())
                && event.occurredAt().isAfter(request.occurredAt());
    }

    @Test
    void poisonRecordsGoToTheDeadLetterTopicAndTheNextRequestIsStillServed() throws Exception {
        GenerationRequested good = request(registry, "a photo of sks dog", 1, 1, List.of(), null);
        Event<GenerationRequested> valid = Event.of(good.generationId(), "alice", good);
        String unknownVersion = new String(EventSerde.toJson(Event.of("gen-v99", "alice", good)),
                StandardCharsets.UTF_8).replace("\"schemaVersion\":1", "\"schemaVersion\":99");
        String key = "poison-" + UUID.randomUUID();
        String bootstrap = ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
        try (EventProbe probe = EventProbe.forApplication();
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(),
                     new ByteArraySerializer())) {
            byte[] malformed = "{not json".getBytes(StandardCharsets.UTF_8);
            producer.send(new ProducerRecord<>(Topics.GENERATION_REQUESTED, key, malformed)).get();
            producer.send(new ProducerRecord<>(Topics.GENERATION_REQUESTED, key,
                    unknownVersion.getBytes(StandardCharsets.UTF_8))).get();
            producer.send(new ProducerRecord<>(Topics.GENERATION_REQUESTED, key, EventSerde.toJson(valid))).get();

            probe.await(GenerationCompleted.class, good.generationId(), WAIT);
            List<ConsumerRecord<String, byte[]>> dead = DeadLetterProbe.read(bootstrap, key, 2, WAIT);
            assertEquals(2, dead.size(), "dead letters with key " + key);
            assertArrayEquals(malformed, dead.get(0).value(), "the original bytes, untouched");
            assertTrue(DeadLetterProbe.header(dead.get(0), DeadLetters.ERROR).contains("not a valid Booth event"),
                    DeadLetterProbe.header(dead.get(0), DeadLetters.ERROR));
            assertTrue(DeadLetterProbe.header(dead.get(1), DeadLetters.ERROR).contains("schemaVersion 99"),
                    DeadLetterProbe.header(dead.get(1), DeadLetters.ERROR));
            for (ConsumerRecord<String, byte[]> record : dead) {
                assertEquals(Topics.GENERATION_REQUESTED, DeadLetterProbe.header(record, DeadLetters.ORIGINAL_TOPIC));
                assertNotNull(DeadLetterProbe.header(record, DeadLetters.ORIGINAL_PARTITION));
                assertNotNull(DeadLetterProbe.header(record, DeadLetters.ORIGINAL_OFFSET));
            }
        }
    }

    @Test
    void anUnknownModelOrAdapterOrBadFieldIsAFailureWithItsReason() throws Exception {
        GenerationRequested base = request(registry, "a photo of sks dog", 1, 1, List.of(), null);
        GenerationRequested noModel = new GenerationRequested("gen-" + UUID.randomUUID(), "no-such-model",
                base.prompt(), null, 2, 5, 1, 1, base.width(), base.height(), "ddim", 0, List.of(), null);
        GenerationRequested noAdapter = request(registry, "x", 1, 1,
                List.of(new LoraRef("alice/none/adapter.safetensors", 1, 1)), null);
        GenerationRequested badSize = new GenerationRequested("gen-" + UUID.randomUUID(), base.baseModel(),
                base.prompt(), null, 2, 5, 1, 1, 500, base.height(), "ddim", 0, List.of(), null);
        GenerationRequested badScheduler = new GenerationRequested("gen-" + UUID.randomUUID(), base.baseModel(),
                base.prompt(), null, 2, 5, 1, 1, base.width(), base.height(), "warp", 0, List.of(), null);
        try (EventProbe probe = EventProbe.forApplication()) {
            assertFailure(probe, noModel, "MODEL_NOT_FOUND", "'no-such-model'");
            assertFailure(probe, noAdapter, "ADAPTER_NOT_FOUND", "'alice/none/adapter.safetensors'");
            assertFailure(probe, badSize, "INVALID_REQUEST", "got 500x");
            assertFailure(probe, badScheduler, "INVALID_REQUEST", "warp");
            assertFailure(probe, accelerated(base, 11), "INVALID_REQUEST", "deepCache must be in [1, 10], got 11");
        }
    }

    /**
     * The trainer asks for a training's class images in one request (100 by default): the sampler renders a set of
     * more than a user's 8 for Booth's own owner, up to what a training may use, and still refuses a user asking as
     * many.
     */
    @Test
    void aClassImageSetMayHoldMoreImagesThanAUsersGenerationUpToWhatATrainingUses() throws Exception {
        int count = GenerationRules.COUNT.maxInt() + 2;
        GenerationRequested base = request(registry, "a photo of dog", 1, 1, List.of(), null);
        GenerationRequested classSet = new GenerationRequested("class-" + UUID.randomUUID(), base.baseModel(),
                base.prompt(), null, 1, 5, 1, count, base.width(), base.height(), "ddim", 0, List.of(), null);
        GenerationRequested tooMany = new GenerationRequested("class-" + UUID.randomUUID(), base.baseModel(),
                base.prompt(), null, 1, 5, 1, GenerationRules.CLASS_IMAGE_COUNT.maxInt() + 1, base.width(),
                base.height(), "ddim", 0, List.of(), null);
        GenerationRequested users = new GenerationRequested("gen-" + UUID.randomUUID(), base.baseModel(),
                base.prompt(), null, 1, 5, 1, count, base.width(), base.height(), "ddim", 0, List.of(), null);
        try (EventProbe probe = EventProbe.forApplication()) {
            probe.publish(Event.of(classSet.generationId(), Buckets.SYSTEM_OWNER, classSet));
            GenerationCompleted done = probe.await(GenerationCompleted.class, classSet.generationId(), WAIT)
                    .payload();
            assertEquals(count, done.images().size());
            probe.publish(Event.of(tooMany.generationId(), Buckets.SYSTEM_OWNER, tooMany));
            GenerationFailed refused = probe.await(GenerationFailed.class, tooMany.generationId(), WAIT).payload();
            assertEquals("INVALID_REQUEST", refused.code(), refused.message());
            assertTrue(refused.message().contains("count"), refused.message());
            assertFailure(probe, users, "INVALID_REQUEST", "count");
        }
    }

    @Test
    void anAdapterKeyOutsideTheEventOwnersPrefixIsRefusedWithoutLoadingIt() throws Exception {
        GenerationRequested foreign = request(registry, "a photo of sks dog", 1, 1,
                List.of(new LoraRef(ADAPTER_KEY, 1, 1)), null); // alice's adapter, which exists
        GenerationRequested climbing = request(registry, "a photo of sks dog", 2, 1,
                List.of(new LoraRef("mallory/../" + ADAPTER_KEY, 1, 1)), null);
        try (EventProbe probe = EventProbe.forApplication()) {
            for (GenerationRequested request : List.of(foreign, climbing)) {
                probe.publish(Event.of(request.generationId(), "mallory", request));
                GenerationFailed failed = probe.await(GenerationFailed.class, request.generationId(), WAIT)
                        .payload();
                assertEquals("ADAPTER_NOT_FOUND", failed.code(), failed.message());
                assertTrue(failed.message().contains(request.loras().get(0).adapterKey()), failed.message());
            }
        }
    }

    @Test
    void batchedRequestsEqualTheirSingleRendersAndManyImagesComeInChunks() {
        List<GenerationRequested> batch = List.of(
                request(registry, "a photo of sks dog", 11, 3, List.of(new LoraRef(ADAPTER_KEY, 0.7, 0.4)), null),
                request(registry, "a photo of sks dog on the beach", 20, 2,
                        List.of(new LoraRef(ADAPTER_KEY, 0.7, 0.4)), null),
                request(registry, "a dog", 30, 6, List.of(new LoraRef(ADAPTER_KEY, 0.7, 0.4)), null));
        generations.process(batch.stream().map(r -> Event.of(r.generationId(), "alice", r)).toList());

        for (GenerationRequested together : batch) {
            GenerationCompleted batched = GenerationResults.read(store, "alice", together.generationId())
                    .orElseThrow();
            assertEquals(batch.size(), batched.timings().batchSize());
            assertEquals(together.count(), batched.images().size());
            GenerationRequested aloneRequest = new GenerationRequested("gen-" + UUID.randomUUID(),
                    together.baseModel(), together.prompt(), together.negativePrompt(), together.steps(),
                    together.guidanceScale(), together.seed(), together.count(), together.width(), together.height(),
                    together.scheduler(), together.clipSkip(), together.loras(), null);
            generations.process(List.of(Event.of(aloneRequest.generationId(), "alice", aloneRequest)));
            GenerationCompleted alone = GenerationResults.read(store, "alice", aloneRequest.generationId())
                    .orElseThrow();
            assertEquals(1, alone.timings().batchSize());
            for (int i = 0; i < together.count(); i++) {
                SamplerFixture.Png a = png(store, batched.images().get(i).key());
                SamplerFixture.Png b = png(store, alone.images().get(i).key());
                assertArrayEquals(b.rgb(), a.rgb(), together.prompt() + " image " + i);
                assertEquals(b.parameters(), a.parameters());
            }
        }
    }

    @Test
    void aPivotalLoraRendersItsTokensWithTheEmbeddingBesideItAsIfPassedExplicitly(@TempDir Path files) {
        String prefix = "alice/pivotal-" + UUID.randomUUID() + "/"; // a new cache entry: target/booth-cache persists
        SamplerFixture.upload(store, prefix, SamplerFixture.pivotalFiles(files));
        String pivotalLora = prefix + SamplerFixture.LORA_FILE;
        String embedding = prefix + SamplerFixture.EMBEDDING + ".safetensors";
        String prompt = "a photo in the style of <s1><s2>";
        // the same LoRA tensors each time: the fixture adapter's metadata names no embedding
        GenerationRequested pivotal = embeddingRequest(prompt, List.of(new LoraRef(pivotalLora, 0.8, 0.5)),
                List.of());
        GenerationRequested explicit = embeddingRequest(prompt, List.of(new LoraRef(ADAPTER_KEY, 0.8, 0.5)),
                List.of(embedding));
        GenerationRequested without = embeddingRequest(prompt, List.of(new LoraRef(ADAPTER_KEY, 0.8, 0.5)),
                List.of());
        for (GenerationRequested r : List.of(pivotal, explicit, without)) {
            generations.process(List.of(Event.of(r.generationId(), "alice", r)));
        }

        SamplerFixture.Png withBeside = png(store, firstImage(pivotal));
        SamplerFixture.Png withExplicit = png(store, firstImage(explicit));
        SamplerFixture.Png withNone = png(store, firstImage(without));
        assertArrayEquals(withExplicit.rgb(), withBeside.rgb(), "the embedding beside the LoRA was used");
        assertFalse(Arrays.equals(withNone.rgb(), withBeside.rgb()), "without the embedding the tokens mean else");
        String hash = SamplerFixture.shortHash(files.resolve(SamplerFixture.EMBEDDING + ".safetensors"));
        for (SamplerFixture.Png png : List.of(withBeside, withExplicit)) {
            assertTrue(png.parameters().contains("TI hashes: ") && png.parameters().contains(
                    SamplerFixture.EMBEDDING + ": " + hash), png.parameters());
        }
        assertFalse(withNone.parameters().contains("TI hashes"), withNone.parameters());
    }

    @Test
    void requestsWithDifferentEmbeddingsAreNotBatchedTogether(@TempDir Path files) {
        String prefix = "alice/pivotal-" + UUID.randomUUID() + "/"; // a new cache entry: target/booth-cache persists
        SamplerFixture.upload(store, prefix, SamplerFixture.pivotalFiles(files));
        String embedding = prefix + SamplerFixture.EMBEDDING + ".safetensors";
        String prompt = "a photo in the style of <s1><s2>";
        GenerationRequested with = embeddingRequest(prompt, List.of(), List.of(embedding));
        GenerationRequested without = embeddingRequest(prompt, List.of(), List.of());
        generations.process(List.of(Event.of(with.generationId(), "alice", with),
                Event.of(without.generationId(), "alice", without)));

        for (GenerationRequested r : List.of(with, without)) {
            GenerationCompleted done = GenerationResults.read(store, "alice", r.generationId()).orElseThrow();
            assertEquals(1, done.timings().batchSize(), "rendered apart from the other");
        }
        assertFalse(png(store, firstImage(without)).parameters().contains("TI hashes"),
                "the other request's embedding was not active");
        assertTrue(png(store, firstImage(with)).parameters().contains("TI hashes"));
    }

    @Test
    void anEmbeddingKeyOutsideTheEventOwnersPrefixIsRefusedWithoutLoadingIt(@TempDir Path files) throws Exception {
        String prefix = "alice/pivotal-" + UUID.randomUUID() + "/"; // a new cache entry: target/booth-cache persists
        SamplerFixture.upload(store, prefix, SamplerFixture.pivotalFiles(files));
        String alices = prefix + SamplerFixture.EMBEDDING + ".safetensors"; // exists
        GenerationRequested foreign = embeddingRequest("a photo of <s1>", List.of(), List.of(alices));
        GenerationRequested climbing = embeddingRequest("a photo of <s1>", List.of(), List.of("mallory/../" + alices));
        try (EventProbe probe = EventProbe.forApplication()) {
            for (GenerationRequested request : List.of(foreign, climbing)) {
                probe.publish(Event.of(request.generationId(), "mallory", request));
                GenerationFailed failed = probe.await(GenerationFailed.class, request.generationId(), WAIT)
                        .payload();
                assertEquals("ADAPTER_NOT_FOUND", failed.code(), failed.message());
                assertTrue(failed.message().contains("'" + request.embeddings().get(0) + "'"), failed.message());
            }
        }
    }

    private GenerationRequested embeddingRequest(String prompt, List<LoraRef> loras, List<String> embeddings) {
        GenerationRequested r = request(registry, prompt, 9, 1, loras, null);
        return new GenerationRequested(r.generationId(), r.baseModel(), r.prompt(), r.negativePrompt(), r.steps(),
                r.guidanceScale(), r.seed(), r.count(), r.width(), r.height(), r.scheduler(), r.clipSkip(), r.loras(),
                null, List.of(), embeddings);
    }

    private String firstImage(GenerationRequested r) {
        GenerationCompleted done = GenerationResults.read(store, "alice", r.generationId()).orElseThrow(
                () -> new AssertionError("generation " + r.generationId() + " has no result"));
        return done.images().get(0).key();
    }

    private static GenerationRequested accelerated(GenerationRequested r, int deepCache) {
        return new GenerationRequested("gen-" + UUID.randomUUID(), r.baseModel(), r.prompt(), r.negativePrompt(),
                r.steps(), r.guidanceScale(), r.seed(), r.count(), r.width(), r.height(), r.scheduler(), r.clipSkip(),
                r.loras(), r.grid(), r.controls(), r.embeddings(), deepCache, 0.5);
    }

    private static void assertFailure(EventProbe probe, GenerationRequested request, String code, String detail)
            throws Exception {
        probe.publish(Event.of(request.generationId(), "alice", request));
        GenerationFailed failed = probe.await(GenerationFailed.class, request.generationId(), WAIT).payload();
        assertEquals(code, failed.code(), failed.message());
        assertTrue(failed.message().contains(detail), failed.message());
    }
}
