package ai.booth.diffusion.train;

import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.loader.DiffusersFolderLoader;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.lora.AttachedLora;
import ai.booth.diffusion.lora.LoraAdapter;
import ai.booth.diffusion.lora.LoraLayout;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.testing.Reference;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whole runs on the tiny model: exact resume, the output files, cancellation, memory over many steps. */
class TrainingRunTest {

    private static Reference ref;
    private static StableDiffusionModel model;
    private static DreamBoothDataset data;
    private static int resolution;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        ref = Reference.load();
        model = DiffusersFolderLoader.load(ref.modelDir(), EngineOptions.defaults());
        resolution = ref.imageSize();
        data = new DreamBoothDataset(
                SyntheticImages.examples(SyntheticImages.subject(3, resolution, 1), "subject", "a photo of sks shape"),
                SyntheticImages.examples(SyntheticImages.others(4, resolution, 2), "class", "a photo of shape"));
    }

    @AfterAll
    static void close() {
        model.close();
        ref.close();
    }

    /** Every random stream in use: flips, posterior sampling, accumulation, warmup + cosine, clipping, both groups. */
    private static TrainingConfig.Builder config(int steps) {
        return TrainingConfig.builder().instancePrompt("a photo of sks shape").classPrompt("a photo of shape")
                .resolution(resolution).maxSteps(steps).randomFlip(true).gradientAccumulation(2).batchSize(1)
                .lrSchedule("cosine").warmupSteps(2).lrUnet(1e-3).lrTextEncoder(5e-4).maxGradNorm(0.5).seed(3)
                .datasetId("test-dataset");
    }

    private static DreamBoothTrainer start(TrainingConfig config) {
        return DreamBoothTrainer.start(model, LatentCache.encode(model, data, resolution, config.randomFlip(),
                ProgressListener.NONE), config);
    }

    /** Records the loss of every step (as bits). */
    private static final class Losses implements ProgressListener {
        final List<Integer> bits = new ArrayList<>();
        int stopAfter = Integer.MAX_VALUE;

        @Override
        public void step(StepProgress p) {
            bits.add(Float.floatToRawIntBits(p.loss()));
            assertTrue(p.itPerSec() > 0 && p.etaSeconds() >= 0 && p.totalSteps() >= p.step(), p.toString());
        }
    }

    @Test
    void resumingFromACheckpointGivesTheUninterruptedRunBitForBit() {
        int steps = 6;
        Losses straight = new Losses();
        Path outA = tmp.resolve("a");
        try (DreamBoothTrainer t = start(config(steps).build())) {
            TrainingResult r = t.run(outA, straight, null, () -> false);
            assertFalse(r.cancelled());
            assertEquals(steps, r.steps());
        }

        Losses first = new Losses();
        Path outB = tmp.resolve("b");
        TrainingResult stopped;
        try (DreamBoothTrainer t = start(config(steps).build())) {
            stopped = t.run(outB, first, null, () -> first.bits.size() == 3);
        }
        assertTrue(stopped.cancelled());
        assertNull(stopped.peftFile());
        assertNotNull(stopped.lastCheckpoint());
        assertTrue(Files.isRegularFile(stopped.lastCheckpoint().resolve("state.json")));

        Losses rest = new Losses();
        TrainingResult resumed;
        try (DreamBoothTrainer t = DreamBoothTrainer.resume(model, stopped.lastCheckpoint(), null)) {
            assertEquals(3, t.stepsDone());
            resumed = t.run(outB, rest, null, () -> false);
        }
        List<Integer> joined = new ArrayList<>(first.bits);
        joined.addAll(rest.bits);
        assertEquals(straight.bits, joined, "losses of the resumed run");
        assertEquals(steps, resumed.steps());
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> a = SafeTensors.read(outA.resolve(LoraLayout.PEFT.fileName()), m);
            Map<String, NDArray> b = SafeTensors.read(resumed.peftFile(), m);
            assertEquals(a.keySet(), b.keySet());
            a.forEach((name, x) -> assertArrayEquals(x.toByteArray(), b.get(name).toByteArray(), name));
        }
    }

    @Test
    void offsetNoiseChangesTheTrainingNoiseOnlyWhenAsked() {
        Losses plain = new Losses();
        Losses zero = new Losses();
        Losses offset = new Losses();
        for (var run : List.of(Map.entry(config(2), plain), Map.entry(config(2).noiseOffset(0), zero),
                Map.entry(config(2).noiseOffset(0.1), offset))) {
            try (DreamBoothTrainer t = start(run.getKey().build())) {
                t.run(tmp.resolve("run-" + run.getValue().hashCode()), run.getValue(), null, () -> false);
            }
        }
        assertEquals(plain.bits, zero.bits, "offset 0 is the plain run");
        assertTrue(!offset.bits.equals(plain.bits), "offset 0.1 trains on other noise");
        offset.bits.forEach(bits -> assertTrue(Float.isFinite(Float.intBitsToFloat(bits))));
        assertThrows(IllegalArgumentException.class, () -> config(2).noiseOffset(-0.1).build());
    }

    @Test
    void resumeRefusesChangedTrainingSettingsButMayTrainLonger() {
        Path checkpoint = tmp.resolve("ckpt");
        try (DreamBoothTrainer t = start(config(2).build())) {
            t.trainStep();
            Path cache = tmp.resolve("cache.safetensors");
            LatentCache.encode(model, data, resolution, true, ProgressListener.NONE).save(cache);
            t.saveCheckpoint(checkpoint, cache);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                DreamBoothTrainer.resume(model, checkpoint, config(2).seed(4).build()));
        assertTrue(e.getMessage().contains("seed"), e.getMessage());
        try (DreamBoothTrainer t = DreamBoothTrainer.resume(model, checkpoint, config(5).build())) {
            assertEquals(1, t.stepsDone());
            assertEquals(5, t.totalSteps());
        }
    }

    @Test
    void outputFilesLoadBackAndGiveTheTrainedModelsOutput() throws Exception {
        Path out = tmp.resolve("out");
        TrainingResult r;
        float[] inMemory;
        List<Path> validated = new ArrayList<>();
        List<Path> checkpoints = new ArrayList<>();
        ProgressListener listener = new ProgressListener() {
            @Override
            public void checkpoint(int step, Path dir) {
                checkpoints.add(dir);
            }

            @Override
            public void validation(int step, List<Path> images) {
                validated.addAll(images);
            }
        };
        ValidationRenderer renderer = (sd, prompts, seed, embeddings) -> {
            assertTrue(sd.unet().loraTargets().values().stream().anyMatch(l -> !l.loras().isEmpty()),
                    "validation runs with the adapter attached");
            assertEquals(77L, seed);
            return prompts.stream().map(p -> new java.awt.image.BufferedImage(8, 8,
                    java.awt.image.BufferedImage.TYPE_INT_RGB)).toList();
        };
        try (NDManager m = NDManager.newBaseManager();
             DreamBoothTrainer t = start(config(3).checkpointEvery(1).checkpointsToKeep(1).validationEvery(3)
                     .validationPrompts(List.of("a photo of sks shape", "sks shape on a beach")).validationSeed(77)
                     .build())) {
            r = t.run(out, listener, renderer, () -> false);
            try (AttachedLora on = t.adapter().attach(model, 1f, 1f)) {
                inMemory = probe(m);
            }
        }
        assertEquals(2, checkpoints.size(), "checkpoints after steps 1 and 2, none at the end");
        assertFalse(Files.exists(checkpoints.get(0)), "only the newest checkpoint is kept");
        assertEquals(checkpoints.get(1), r.lastCheckpoint());
        assertEquals(2, validated.size());
        assertTrue(validated.stream().allMatch(Files::isRegularFile));
        assertTrue(model.unet().loraTargets().values().stream().allMatch(l -> l.loras().isEmpty()),
                "the adapter is detached after the run");
        JsonNode meta = new ObjectMapper().readTree(r.metadataFile().toFile());
        assertEquals(model.contentHash(), meta.at("/base_model/hash").asText());
        assertEquals("test-dataset", meta.get("dataset_id").asText());
        assertEquals(3, meta.get("steps").asInt());
        assertEquals(r.finalLoss(), meta.get("final_loss").floatValue());
        assertEquals(3, meta.at("/config/seed").asInt());
        assertTrue(meta.at("/timings/training_seconds").asDouble() > 0);
        for (Path file : List.of(r.peftFile(), r.kohyaFile())) {
            Map<String, String> st = SafeTensors.readMetadata(file);
            assertEquals("4", st.get("ss_network_dim"), file + " " + st);
            assertEquals("3", st.get("ss_max_train_steps"));
            assertEquals("3", st.get("ss_seed"));
            assertEquals(model.contentHash(), st.get("ss_sd_model_hash"));
            try (NDManager m = NDManager.newBaseManager(); LoraAdapter back = LoraAdapter.load(file, model);
                 AttachedLora on = back.attach(model, 1f, 1f)) {
                assertArrayEquals(inMemory, probe(m), file + " gives another UNet/text-encoder output");
            }
        }
    }

    @Test
    void manyStepsLeaveNoArraysBehind() {
        try (DreamBoothTrainer t = start(config(12).build())) {
            NDManager weights = model.unet().linears().values().iterator().next().weight().getManager();
            NDManager factors = t.adapter().modules().get(0).down().getManager();
            for (int i = 0; i < 3; i++) {
                t.trainStep();
            }
            int[] before = {arrays(weights), arrays(factors), arrays(model.textEncoder().linears().values().iterator()
                    .next().weight().getManager())};
            for (int i = 0; i < 6; i++) {
                t.trainStep();
            }
            int[] after = {arrays(weights), arrays(factors), arrays(model.textEncoder().linears().values().iterator()
                    .next().weight().getManager())};
            assertArrayEquals(before, after, "arrays in the UNet, adapter and text-encoder managers after 6 more steps");
        }
    }

    private static int arrays(NDManager m) {
        return ((BaseNDManager) m).getManagedArrays().size();
    }

    private static float[] probe(NDManager m) {
        try (PromptEncoder p = new PromptEncoder(ai.booth.diffusion.tokenizer.CLIPTokenizer.fromFolder(
                model.tokenizerDir().orElseThrow()), model.textEncoder(), 1, null)) {
            NDArray text = p.encode(List.of("a photo of sks shape"), m);
            NDArray x = new ai.booth.diffusion.runtime.TorchGenerator(5).randn(m, new ai.djl.ndarray.types.Shape(1,
                    model.unet().config().inChannels(), 8, 8));
            return model.unet().forward(x, m.create(new long[] {300}), text).toFloatArray();
        }
    }
}
