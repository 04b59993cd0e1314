package ai.booth.trainer;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.EvalScores;
import ai.booth.contracts.Event;
import ai.booth.contracts.TrainingCancelRequested;
import ai.booth.contracts.TrainingCompleted;
import ai.booth.contracts.TrainingFailed;
import ai.booth.contracts.TrainingProgress;
import ai.booth.contracts.TrainingRequested;
import ai.booth.diffusion.eval.EvalEncoders;
import ai.booth.diffusion.eval.RgbImage;
import ai.booth.diffusion.eval.SubjectFidelity;
import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.service.ObjectStore;
import ai.booth.service.models.ModelCache;
import ai.booth.service.models.ModelLineage;
import ai.booth.service.models.ModelManifest;
import ai.booth.service.models.ModelRegistry;
import ai.booth.testing.BoothInfraResource;
import ai.booth.testing.EventProbe;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Trainings on the tiny fixture model through the real broker and S3 server. */
@QuarkusTest
@WithTestResource(value = BoothInfraResource.class, scope = TestResourceScope.MATCHING_RESOURCES)
class TrainingJobsTest {

    private static final Duration WAIT = Duration.ofMinutes(5);
    private static final String OWNER = "alice";

    @Inject
    ObjectStore store;

    @Inject
    ObjectMapper json;

    @Inject
    TrainingRunner runner;

    @Inject
    JobControl control;

    @Inject
    ModelCache models;

    @TempDir
    Path tmp;

    @BeforeEach
    void model() {
        TrainingFixtures.installModel(store);
    }

    @Test
    void aTrainingEndsWithBothAdapterFilesAfterMonotonicProgress() throws Exception {
        String dataset = TrainingFixtures.dataset(store, OWNER, 2, 64);
        TrainingRequested request = TrainingFixtures.tuned(
                TrainingFixtures.request(dataset, 4, 2, false, 0, 2, List.of("sks dog")), 0.1, 5.0);
        try (EventProbe probe = EventProbe.forApplication()) {
            probe.publish(Event.of(request.trainingId(), OWNER, request));
            TrainingCompleted done = probe.await(TrainingCompleted.class, request.trainingId(), WAIT).payload();

            String prefix = Buckets.adapterPrefix(OWNER, request.trainingId());
            assertEquals(prefix + "pytorch_lora_weights.safetensors", done.adapterKey());
            assertEquals(4, done.steps());
            assertTrue(Double.isFinite(done.finalLoss()) && done.finalLoss() > 0, "loss " + done.finalLoss());
            assertTrue(peftKeys(done.adapterKey()).stream().anyMatch(k -> k.startsWith("unet.")
                    && k.endsWith(".lora_A.weight")), "PEFT keys");
            assertTrue(peftKeys(prefix + "lora_kohya.safetensors").stream().anyMatch(k -> k.startsWith("lora_unet_")),
                    "kohya keys");
            Map<String, String> kohya = metadata(prefix + "lora_kohya.safetensors");
            assertEquals("0.1", kohya.get("ss_noise_offset"), "the request's offset noise trained");
            assertEquals("5.0", kohya.get("ss_min_snr_gamma"), "the request's Min-SNR-γ trained");
            JsonNode metadata = json.readTree(store.get(Buckets.ADAPTERS, prefix + "metadata.json"));
            assertEquals(dataset, metadata.get("dataset_id").asText());
            assertEquals(4, metadata.get("steps").asInt());

            List<TrainingProgress> progress = probe.all(TrainingProgress.class, request.trainingId()).stream()
                    .map(Event::payload).toList();
            for (int i = 1; i < progress.size(); i++) {
                assertTrue(progress.get(i).step() > progress.get(i - 1).step(), "steps grow: " + progress);
            }
            TrainingProgress last = progress.get(progress.size() - 1);
            assertEquals(4, last.step());
            assertEquals(4, last.totalSteps());
            TrainingProgress atCheckpoint = progress.stream().filter(p -> p.checkpointKey() != null).findFirst()
                    .orElseThrow(() -> new AssertionError("no checkpoint in " + progress));
            assertEquals(2, atCheckpoint.step());
            assertEquals(List.of(atCheckpoint.checkpointKey()), done.checkpointKeys());
            assertTrue(store.exists(Buckets.CHECKPOINTS, atCheckpoint.checkpointKey()));
            List<String> validation = progress.stream().flatMap(p -> p.validationImageKeys().stream()).toList();
            assertEquals(2, validation.size(), "validation at steps 2 and 4: " + progress);
            assertEquals(validation, done.validationImageKeys());
            for (String key : validation) {
                assertTrue(store.exists(Buckets.CHECKPOINTS, key), key);
            }

            // a client retrying the request (new event, same training) gets the outcome again, no new training
            int reports = progress.size();
            Event<TrainingRequested> retry = Event.of(request.trainingId(), OWNER, request);
            probe.publish(retry);
            Event<TrainingCompleted> again = probe.await(TrainingCompleted.class,
                    e -> e.correlationId().equals(request.trainingId()) && e.occurredAt().isAfter(retry.occurredAt()),
                    WAIT);
            assertEquals(done, again.payload());
            assertEquals(reports, probe.all(TrainingProgress.class, request.trainingId()).size(), "no new progress");
        }
    }

    /**
     * A second training on the same images (an experiment's next variant) reads the latents the first one shared
     * instead of encoding them: proven by altering the shared cache (every latent scaled), which changes what the
     * second training learns from the same seed and settings, and which it does not store again.
     */
    @Test
    void aSecondTrainingOnTheSameImagesReadsTheLatentsTheFirstShared() throws Exception {
        String owner = "mona"; // an owner of its own: the altered cache must not reach the other tests' trainings
        String dataset = TrainingFixtures.dataset(store, owner, 2, 64);
        TrainingRequested first = TrainingFixtures.request(dataset, 3, 0);
        try (EventProbe probe = EventProbe.forApplication()) {
            probe.publish(Event.of(first.trainingId(), owner, first));
            TrainingCompleted firstDone = probe.await(TrainingCompleted.class, first.trainingId(), WAIT).payload();
            List<String> caches = store.list(Buckets.CHECKPOINTS, owner + "/latent-caches/");
            assertEquals(1, caches.size(), "the first training shares its latents: " + caches);

            Path original = tmp.resolve("latents.safetensors");
            store.download(Buckets.CHECKPOINTS, caches.get(0), original, Long.MAX_VALUE);
            Path altered = tmp.resolve("altered.safetensors");
            try (NDManager manager = NDManager.newBaseManager(ai.djl.Device.cpu());
                 SafeTensors file = SafeTensors.open(original)) {
                Map<String, NDArray> tensors = new java.util.LinkedHashMap<>();
                for (String name : file.names()) {
                    tensors.put(name, file.load(name, manager).mul(0.5f));
                }
                SafeTensors.write(altered, tensors, file.metadata());
            }
            store.put(Buckets.CHECKPOINTS, caches.get(0), altered, "application/octet-stream");

            TrainingRequested second = TrainingFixtures.request(dataset, 3, 0); // the same but for its id
            probe.publish(Event.of(second.trainingId(), owner, second));
            TrainingCompleted secondDone = probe.await(TrainingCompleted.class, second.trainingId(), WAIT).payload();
            assertNotEquals(firstDone.finalLoss(), secondDone.finalLoss(), "trained on the altered shared latents");
            assertEquals(List.of(caches.get(0)), store.list(Buckets.CHECKPOINTS, owner + "/latent-caches/"));
            assertArrayEquals(Files.readAllBytes(altered), store.get(Buckets.CHECKPOINTS, caches.get(0)),
                    "the second training stores no cache of its own");
        }
    }

    @Test
    void anEvaluatedTrainingScoresEachValidationStepAndTheFinalAdapterAgainstTheDatasetsImages() throws Exception {
        TrainingFixtures.installEncoders(store);
        String dataset = TrainingFixtures.dataset(store, OWNER, 2, 64);
        List<String> prompts = List.of("a photo of sks dog", "sks dog on the moon");
        TrainingRequested request = TrainingFixtures.evaluate(
                TrainingFixtures.request(dataset, 4, 0, false, 0, 3, prompts), true);
        try (EventProbe probe = EventProbe.forApplication()) {
            probe.publish(Event.of(request.trainingId(), OWNER, request));
            TrainingCompleted done = probe.await(TrainingCompleted.class, request.trainingId(), WAIT).payload();

            // validation every 3 steps and after the last: steps 3 and 4 are scored, 2 images against 2 photos
            List<EvalScores> reported = probe.all(TrainingProgress.class, request.trainingId()).stream()
                    .map(e -> e.payload().scores()).filter(java.util.Objects::nonNull).toList();
            assertEquals(List.of(3, 4), reported.stream().map(EvalScores::step).toList());
            for (EvalScores s : reported) {
                assertEquals(2, s.generated());
                assertEquals(2, s.real());
                for (double v : new double[] {s.dino(), s.clipI(), s.clipT()}) {
                    assertTrue(v >= -1 && v <= 1, "a cosine: " + s);
                }
            }
            assertEquals(reported.get(1), done.scores());
            String scorecard = Buckets.adapterPrefix(OWNER, request.trainingId()) + "scores.json";
            assertEquals(reported, List.of(json.readValue(store.get(Buckets.ADAPTERS, scorecard),
                    EvalScores[].class)));

            // the same numbers from the stored images with the encoders loaded here: photos and prompts paired right
            Path real = tmp.resolve("real");
            Path generated = tmp.resolve("generated");
            Files.createDirectories(real);
            Files.createDirectories(generated);
            for (String key : store.list(Buckets.DATASETS, Buckets.datasetProcessedKey(OWNER, dataset, 1, ""))) {
                store.download(Buckets.DATASETS, key, real.resolve(key.substring(key.lastIndexOf('/') + 1)),
                        Long.MAX_VALUE);
            }
            for (String key : done.validationImageKeys().stream().filter(k -> k.contains("/step-000004/")).toList()) {
                store.download(Buckets.CHECKPOINTS, key, generated.resolve(key.substring(key.lastIndexOf('/') + 1)),
                        Long.MAX_VALUE);
            }
            Path eval = TrainingFixtures.modelFolder().resolveSibling("eval");
            try (EvalEncoders encoders = EvalEncoders.load(eval.resolve("clip"), eval.resolve("dino"),
                    EngineOptions.defaults())) {
                SubjectFidelity expected = SubjectFidelity.score(encoders,
                        RgbImage.filesIn(real).stream().map(RgbImage::read).toList(),
                        RgbImage.filesIn(generated).stream().map(RgbImage::read).toList(), prompts, List.of("sks"));
                assertEquals(expected.dino(), done.scores().dino(), 1e-6);
                assertEquals(expected.clipI(), done.scores().clipI(), 1e-6);
                assertEquals(expected.clipT(), done.scores().clipT(), 1e-6);
            }
        }
    }

    @Test
    void aTrainingThatSelectsByAMetricKeepsTheAdapterOfItsBestScoredStep() throws Exception {
        TrainingFixtures.installEncoders(store);
        String dataset = TrainingFixtures.dataset(store, OWNER, 2, 64);
        TrainingRequested request = TrainingFixtures.evaluate(TrainingFixtures.request(dataset, 4, 0, false, 0, 1,
                List.of("a photo of sks dog on the moon")), null, EvalScores.CLIP_T);
        try (EventProbe probe = EventProbe.forApplication()) {
            probe.publish(Event.of(request.trainingId(), OWNER, request));
            TrainingCompleted done = probe.await(TrainingCompleted.class, request.trainingId(), WAIT).payload();

            String scorecard = Buckets.adapterPrefix(OWNER, request.trainingId()) + "scores.json";
            List<EvalScores> scores = List.of(json.readValue(store.get(Buckets.ADAPTERS, scorecard),
                    EvalScores[].class));
            assertEquals(List.of(1, 2, 3, 4), scores.stream().map(EvalScores::step).toList());
            EvalScores best = TrainingRunner.best(scores, EvalScores.CLIP_T).orElseThrow();
            assertTrue(scores.stream().allMatch(s -> s.clipT() <= best.clipT()), "the best: " + scores);
            assertEquals(best, done.scores());
            assertEquals(4, done.steps(), "trained all the way");

            // the stored adapter is that step's snapshot (snapshots of other steps differ), its metadata that step's
            String snapshots = Buckets.checkpointPrefix(OWNER, request.trainingId()) + "snapshots/";
            byte[] kept = store.get(Buckets.ADAPTERS, done.adapterKey());
            String name = done.adapterKey().substring(done.adapterKey().lastIndexOf('/') + 1);
            assertArrayEquals(store.get(Buckets.CHECKPOINTS, snapshots + String.format("step-%06d/", best.step())
                    + name), kept);
            int other = best.step() == 1 ? 4 : 1;
            assertFalse(java.util.Arrays.equals(store.get(Buckets.CHECKPOINTS, snapshots
                    + String.format("step-%06d/", other) + name), kept), "steps train different adapters");
            JsonNode metadata = json.readTree(store.get(Buckets.ADAPTERS, Buckets.adapterPrefix(OWNER,
                    request.trainingId()) + "metadata.json"));
            assertEquals(best.step(), metadata.get("steps").asInt());
        }
    }

    @Test
    void askingForEvaluationWithoutValidationPromptsFailsTheRequestSayingWhy() throws Exception {
        String dataset = TrainingFixtures.dataset(store, OWNER, 1, 64);
        TrainingRequested request = TrainingFixtures.evaluate(TrainingFixtures.request(dataset, 2, 0), true);
        try (EventProbe probe = EventProbe.forApplication()) {
            probe.publish(Event.of(request.trainingId(), OWNER, request));
            TrainingFailed failed = probe.await(TrainingFailed.class, request.trainingId(), WAIT).payload();

            assertEquals("INVALID_REQUEST", failed.code());
            assertTrue(failed.message().contains("validationPrompts"), failed.message());
        }
    }

    @Test
    void aPivotalTrainingStoresItsEmbeddingBesideTheLoraThatNamesIt() throws Exception {
        String dataset = TrainingFixtures.dataset(store, OWNER, 2, 64);
        TrainingRequested request = TrainingFixtures.withTokens(TrainingFixtures.request(dataset, 2, 0),
                null, List.of("<s1>", "<s2>"), List.of("a cat in the style of <s1><s2>"));
        try (EventProbe probe = EventProbe.forApplication()) {
            probe.publish(Event.of(request.trainingId(), OWNER, request));
            TrainingCompleted done = probe.await(TrainingCompleted.class, request.trainingId(), WAIT).payload();

            String prefix = Buckets.adapterPrefix(OWNER, request.trainingId());
            String name = TrainingRunner.outputName(request);
            assertEquals(prefix + "pytorch_lora_weights.safetensors", done.adapterKey(), "pivotal is the default");
            assertEquals(prefix + name + ".safetensors", done.embeddingKey());
            assertTrue(store.exists(Buckets.ADAPTERS, prefix + name + "_emb.safetensors"), "the kohya layout too");
            Path lora = tmp.resolve("lora.safetensors");
            Files.write(lora, store.get(Buckets.ADAPTERS, done.adapterKey()));
            assertEquals(name + ".safetensors", SafeTensors.readMetadata(lora).get("booth_embedding"),
                    "the LoRA names the file beside it");
            Path embedding = tmp.resolve("embedding.safetensors");
            Files.write(embedding, store.get(Buckets.ADAPTERS, done.embeddingKey()));
            assertEquals("[\"<s1>\",\"<s2>\"]", SafeTensors.readMetadata(embedding).get("booth_tokens"));
            assertEquals(1, done.validationImageKeys().size(), "validated with the tokens at the last step");
        }
    }

    @Test
    void aTextualInversionTrainingEndsWithAnEmbeddingAndNoLora() throws Exception {
        String dataset = TrainingFixtures.dataset(store, OWNER, 2, 64);
        TrainingRequested request = TrainingFixtures.withTokens(TrainingFixtures.request(dataset, 2, 0),
                TrainingRequested.TEXTUAL_INVERSION, List.of("<t1>"), List.of());
        try (EventProbe probe = EventProbe.forApplication()) {
            probe.publish(Event.of(request.trainingId(), OWNER, request));
            TrainingCompleted done = probe.await(TrainingCompleted.class, request.trainingId(), WAIT).payload();

            String prefix = Buckets.adapterPrefix(OWNER, request.trainingId());
            assertEquals(done.embeddingKey(), done.adapterKey(), "the embedding is the result");
            assertTrue(store.exists(Buckets.ADAPTERS, done.embeddingKey()));
            assertFalse(store.exists(Buckets.ADAPTERS, prefix + "pytorch_lora_weights.safetensors"), "no LoRA");
        }
    }

    @Test
    void newTokensMissingFromTheInstancePromptFailTheRequestNamingTheToken() throws Exception {
        String dataset = TrainingFixtures.dataset(store, OWNER, 2, 64);
        TrainingRequested tokens = TrainingFixtures.withTokens(TrainingFixtures.request(dataset, 2, 0), null,
                List.of("<s1>", "<zz>"), List.of());
        TrainingRequested bad = new TrainingRequested(tokens.trainingId(), tokens.baseModel(), dataset, "<s1>",
                "dog", "a photo of <s1>", "a photo of dog", false, 1.0, 0, 64, 2, 1, 2, 2.0, 1e-3, 0, "constant", 0, 7L,
                0, 0, List.of(), null, null, tokens.newTokens(), null, null);
        try (EventProbe probe = EventProbe.forApplication()) {
            probe.publish(Event.of(bad.trainingId(), OWNER, bad));
            TrainingFailed failed = probe.await(TrainingFailed.class, bad.trainingId(), WAIT).payload();
            assertEquals("INVALID_REQUEST", failed.code());
            assertTrue(failed.message().contains("'<zz>'"), failed.message());
        }
    }

    /**
     * The job takes the cached base model over (it frees the base UNet beside its trainable copy), renders its
     * validation images with the weights being trained, and a later job loads the base again.
     */
    @Test
    void aFullFineTuneIsInstalledAsABaseModelWithItsLineageAndAnA1111File() throws Exception {
        String dataset = TrainingFixtures.dataset(store, OWNER, 2, 64);
        TrainingRequested request = TrainingFixtures.full(TrainingFixtures.request(dataset, 3, 0, false, 0, 3,
                List.of("a photo of sks dog")));
        try (EventProbe probe = EventProbe.forApplication()) {
            probe.publish(Event.of(request.trainingId(), OWNER, request));
            TrainingCompleted done = probe.await(TrainingCompleted.class, request.trainingId(), WAIT).payload();

            assertEquals(3, done.steps());
            assertEquals(1, done.validationImageKeys().size(), done.validationImageKeys().toString());
            assertFalse(models.loadedModels().contains(TrainingFixtures.MODEL), "the job took the base model over");
            TrainingRequested next = TrainingFixtures.request(dataset, 1, 0);
            probe.publish(Event.of(next.trainingId(), OWNER, next));
            probe.await(TrainingCompleted.class, next.trainingId(), WAIT);
            assertEquals(Buckets.adapterPrefix(OWNER, request.trainingId()) + "model.safetensors", done.adapterKey());
            assertTrue(store.exists(Buckets.ADAPTERS, done.adapterKey()));
            assertEquals("ft-" + request.trainingId(), done.modelId());
            ModelRegistry registry = new ModelRegistry(store);
            ModelManifest model = registry.manifest(done.modelId()).orElseThrow();
            ModelManifest base = registry.manifest(TrainingFixtures.MODEL).orElseThrow();
            assertEquals(ModelManifest.FOLDER, model.kind());
            assertNotEquals(base.contentHash(), model.contentHash(), "the UNet's weights changed");
            assertEquals(base.resolution(), model.resolution());
            ModelLineage lineage = model.lineage();
            assertEquals(ModelLineage.FINETUNE, lineage.kind());
            assertEquals(TrainingFixtures.MODEL, lineage.baseModel());
            assertEquals(base.contentHash(), lineage.baseContentHash());
            assertEquals(dataset, lineage.datasetId());
            assertEquals(request.trainingId(), lineage.trainingId());
            assertEquals(3, lineage.steps());
            assertEquals("full", lineage.hyperParameters().get("mode"));
            assertTrue(model.files().stream().anyMatch(f -> f.path().equals("unet/config.json")), "diffusers folder");
        }
    }

    @Test
    void cancelStopsARunningJobAndSkipsOneNotYetStarted() throws Exception {
        String dataset = TrainingFixtures.dataset(store, OWNER, 1, 64);
        try (EventProbe probe = EventProbe.forApplication()) {
            TrainingRequested running = TrainingFixtures.request(dataset, 2000, 0);
            probe.publish(Event.of(running.trainingId(), OWNER, running));
            probe.await(TrainingProgress.class, running.trainingId(), WAIT);
            probe.publish(Event.of(running.trainingId(), OWNER, new TrainingCancelRequested(running.trainingId(),
                    "test")));
            TrainingFailed failed = probe.await(TrainingFailed.class, running.trainingId(), WAIT).payload();
            assertEquals("CANCELLED", failed.code(), failed.message());
            assertTrue(failed.step() != null && failed.step() > 0 && failed.step() < 2000, "stopped at " + failed);
            assertFalse(store.hasPrefix(Buckets.ADAPTERS, Buckets.adapterPrefix(OWNER, running.trainingId())));

            TrainingRequested later = TrainingFixtures.request(dataset, 2, 0);
            probe.publish(Event.of(later.trainingId(), OWNER, new TrainingCancelRequested(later.trainingId(), null)));
            Thread.sleep(1000); // the broadcast cancel consumer reads it before the request arrives
            probe.publish(Event.of(later.trainingId(), OWNER, later));
            TrainingFailed skipped = probe.await(TrainingFailed.class, later.trainingId(), WAIT).payload();
            assertEquals("CANCELLED", skipped.code());
            assertNull(skipped.step(), "never started");
            assertTrue(probe.all(TrainingProgress.class, later.trainingId()).isEmpty());
        }
    }

    @Test
    void anInterruptedJobResumesFromItsCheckpointNotFromZero() throws Exception {
        String dataset = TrainingFixtures.dataset(store, OWNER, 1, 64);
        TrainingRequested request = TrainingFixtures.request(dataset, 12, 3);
        Event<TrainingRequested> event = Event.of(request.trainingId(), OWNER, request);
        try (EventProbe probe = EventProbe.forApplication()) {
            // this worker runs the job directly (as its consumer would) and shuts down after the first checkpoint
            CompletableFuture<TrainingRunner.Ending> first = CompletableFuture.supplyAsync(() -> runner.run(event));
            probe.await(TrainingProgress.class, e -> e.correlationId().equals(request.trainingId())
                    && ((TrainingProgress) e.payload()).checkpointKey() != null, WAIT);
            control.stop();
            try {
                assertEquals(TrainingRunner.Ending.INTERRUPTED, first.get());
            } finally {
                control.resume();
            }
            assertTrue(store.list(Buckets.CHECKPOINTS, Buckets.checkpointPrefix(OWNER, request.trainingId())).stream()
                    .noneMatch(k -> k.endsWith(JobObjects.OUTCOME)), "no outcome: the job is unfinished");
            int before = probe.all(TrainingProgress.class, request.trainingId()).size();
            JsonNode pointer = json.readTree(store.get(Buckets.CHECKPOINTS,
                    Buckets.checkpointPrefix(OWNER, request.trainingId()) + JobObjects.POINTER));
            int checkpointStep = pointer.get("step").asInt();
            assertTrue(checkpointStep >= 3 && checkpointStep < 12, "checkpoint at step " + checkpointStep);

            // Kafka redelivers the uncommitted request (here: published again) and the job continues
            probe.publish(event);
            TrainingCompleted done = probe.await(TrainingCompleted.class, request.trainingId(), WAIT).payload();
            assertEquals(12, done.steps());
            List<TrainingProgress> all = probe.all(TrainingProgress.class, request.trainingId()).stream()
                    .map(Event::payload).toList();
            List<TrainingProgress> after = all.subList(before, all.size());
            assertEquals(checkpointStep + 1, after.get(0).step(), "resumed from the checkpoint: " + after);
            assertEquals(12, after.get(after.size() - 1).step());
        }
    }

    private Map<String, String> metadata(String key) throws Exception {
        Path file = Files.createTempFile(tmp, "adapter", ".safetensors");
        Files.write(file, store.get(Buckets.ADAPTERS, key));
        try (SafeTensors tensors = SafeTensors.open(file)) {
            return Map.copyOf(tensors.metadata());
        }
    }

    private List<String> peftKeys(String key) throws Exception {
        Path file = Files.createTempFile(tmp, "adapter", ".safetensors");
        Files.write(file, store.get(Buckets.ADAPTERS, key));
        try (SafeTensors tensors = SafeTensors.open(file)) {
            assertNotNull(tensors.metadata().get("ss_network_dim"));
            return List.copyOf(tensors.names());
        }
    }
}
