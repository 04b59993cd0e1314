package ai.booth.diffusion.train;

import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.loader.DiffusersFolderLoader;
import ai.booth.diffusion.loader.SingleFileLoader;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.pipeline.GenerationParams;
import ai.booth.diffusion.pipeline.PipelineImages;
import ai.booth.diffusion.pipeline.TextToImagePipeline;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.testing.Reference;
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
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Full DreamBooth fine-tunes of the tiny model end to end: the result is a new model (diffusers folder and A1111
 * file, both loadable, weights changed, the base untouched), and a run interrupted at a checkpoint resumes bit for
 * bit.
 */
class FullFineTuneRunTest {

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
                SyntheticImages.examples(SyntheticImages.subject(2, resolution, 1), "subject", "a photo of sks shape"),
                SyntheticImages.examples(SyntheticImages.others(2, resolution, 2), "class", "a photo of shape"));
    }

    @AfterAll
    static void close() {
        model.close();
        ref.close();
    }

    private static TrainingConfig config(int steps) {
        return configBuilder(steps).build();
    }

    private static TrainingConfig.Builder configBuilder(int steps) {
        return TrainingConfig.builder().mode("full").instancePrompt("a photo of sks shape")
                .classPrompt("a photo of shape").resolution(resolution).maxSteps(steps).lrUnet(1e-4)
                .lrTextEncoder(5e-5).trainTextEncoder(true).lrSchedule("constant_with_warmup").warmupSteps(1)
                .gradientAccumulation(2).seed(5);
    }

    private static DreamBoothTrainer start(TrainingConfig config) {
        return DreamBoothTrainer.start(model, LatentCache.encode(model, data, resolution, false, ProgressListener.NONE),
                config);
    }

    @Test
    void aFullFineTuneWritesANewModelAsADiffusersFolderAndAnA1111FileAndLeavesTheBaseUntouched() throws Exception {
        float[] baseConvIn = model.unet().parameters().get("conv_in.weight").toFloatArray();
        TrainingResult r;
        try (DreamBoothTrainer t = start(config(3))) {
            assertNull(t.adapter(), "no adapter in mode full");
            r = t.run(tmp.resolve("out"), ProgressListener.NONE, null, () -> false);
        }
        assertNull(r.peftFile());
        assertTrue(Files.isDirectory(r.modelFolder()), "diffusers folder");
        assertTrue(Files.isRegularFile(r.modelFile()), "A1111 file");
        assertArrayEquals(baseConvIn, model.unet().parameters().get("conv_in.weight").toFloatArray(),
                "the base model is not changed by training its copy");
        JsonNode meta = new ObjectMapper().readTree(r.metadataFile().toFile());
        assertEquals("full", meta.get("config").get("mode").asText());
        assertEquals(model.contentHash(), meta.get("base_model").get("hash").asText(), "lineage: the base model");
        assertEquals("model", meta.get("files").get("diffusers").asText());
        try (StableDiffusionModel folder = DiffusersFolderLoader.load(r.modelFolder(), EngineOptions.defaults());
             StableDiffusionModel single = SingleFileLoader.load(r.modelFile(), r.modelFolder().toString(),
                     EngineOptions.defaults())) {
            assertFalse(java.util.Arrays.equals(baseConvIn,
                    folder.unet().parameters().get("conv_in.weight").toFloatArray()), "the UNet trained");
            assertFalse(java.util.Arrays.equals(
                    model.textEncoder().parameters().get("text_model.final_layer_norm.weight").toFloatArray(),
                    folder.textEncoder().parameters().get("text_model.final_layer_norm.weight").toFloatArray()),
                    "the text encoder trained");
            folder.unet().parameters().forEach((k, v) -> assertArrayEquals(v.toFloatArray(),
                    single.unet().parameters().get(k).toFloatArray(), "single file = folder: " + k));
            assertArrayEquals(model.vae().parameters().get("decoder.conv_out.weight").toFloatArray(),
                    folder.vae().parameters().get("decoder.conv_out.weight").toFloatArray(), "the VAE is the base's");
        }
    }

    /**
     * A model loaded for the job alone lends its UNet and text encoder to nothing else: the trainer closes them once
     * it has its copies, and trains exactly what it trains beside a base kept open. Validation renders the copies.
     */
    @Test
    void aModelLoadedForTheJobAloneHasItsBaseNetworksFreedAndTrainsTheSameWeights() throws Exception {
        TrainingConfig config = configBuilder(3).validationEvery(3).validationPrompts(List.of("a photo of sks shape"))
                .build();
        Path kept = tmp.resolve("kept");
        try (TextToImagePipeline pipeline = TextToImagePipeline.of(model);
             DreamBoothTrainer t = start(config)) {
            t.run(kept, ProgressListener.NONE, validation(pipeline), () -> false);
        }
        Path freed = tmp.resolve("freed");
        try (StableDiffusionModel own = DiffusersFolderLoader.load(ref.modelDir(), EngineOptions.defaults());
             TextToImagePipeline pipeline = TextToImagePipeline.of(own);
             DreamBoothTrainer t = DreamBoothTrainer.start(own, LatentCache.encode(own, data, resolution, false,
                     ProgressListener.NONE), config)) {
            t.releaseBase();
            assertTrue(own.unet().parameters().values().stream().allMatch(NDArray::isReleased), "base UNet freed");
            assertTrue(own.textEncoder().parameters().values().stream().allMatch(NDArray::isReleased),
                    "base text encoder freed (it trains too)");
            assertFalse(own.vae().parameters().values().iterator().next().isReleased(), "the VAE is still the base's");
            t.run(freed, ProgressListener.NONE, validation(pipeline), () -> false);
        }
        for (String file : List.of("model/unet/diffusion_pytorch_model.safetensors",
                "model/text_encoder/model.safetensors")) {
            try (NDManager m = NDManager.newBaseManager()) {
                Map<String, NDArray> a = SafeTensors.read(kept.resolve(file), m);
                Map<String, NDArray> b = SafeTensors.read(freed.resolve(file), m);
                assertEquals(a.keySet(), b.keySet());
                a.forEach((k, v) -> assertArrayEquals(v.toFloatArray(), b.get(k).toFloatArray(), file + " " + k));
            }
        }
        assertTrue(Files.isRegularFile(freed.resolve("validation/step-000003/00.png")), "validation rendered the copies");
    }

    private static ValidationRenderer validation(TextToImagePipeline pipeline) {
        return new PipelineImages(pipeline, GenerationParams.builder("").steps(2).seed(1).size(resolution, resolution)
                .build());
    }

    @Test
    void aFullFineTuneResumedFromACheckpointEndsWithTheSameWeightsBitForBit() {
        int steps = 4;
        Path straight = tmp.resolve("straight");
        List<Float> lossesA = new ArrayList<>();
        try (DreamBoothTrainer t = start(config(steps))) {
            t.run(straight, lossesOf(lossesA), null, () -> false);
        }
        Path split = tmp.resolve("split");
        List<Float> lossesB = new ArrayList<>();
        TrainingResult stopped;
        try (DreamBoothTrainer t = start(config(steps))) {
            stopped = t.run(split, lossesOf(lossesB), null, () -> lossesB.size() == 2);
        }
        assertTrue(stopped.cancelled());
        try (DreamBoothTrainer t = DreamBoothTrainer.resume(model, stopped.lastCheckpoint(), null)) {
            t.run(split, lossesOf(lossesB), null, () -> false);
        }
        assertEquals(lossesA, lossesB, "losses of the resumed run");
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> a = SafeTensors.read(straight.resolve("model/unet/diffusion_pytorch_model.safetensors"), m);
            Map<String, NDArray> b = SafeTensors.read(split.resolve("model/unet/diffusion_pytorch_model.safetensors"), m);
            assertEquals(a.keySet(), b.keySet());
            a.forEach((k, v) -> assertArrayEquals(v.toFloatArray(), b.get(k).toFloatArray(), k));
        }
    }

    @Test
    void fullFineTuningRefusesHalfPrecisionAndNewTokensWithReasons() {
        IllegalArgumentException fp16 = assertThrows(IllegalArgumentException.class, () -> TrainingConfig.builder()
                .mode("full").instancePrompt("a photo of sks shape").priorPreservation(false).mixedPrecision("fp16")
                .build());
        assertTrue(fp16.getMessage().contains("mixedPrecision"), fp16.getMessage());
        IllegalArgumentException tokens = assertThrows(IllegalArgumentException.class, () -> TrainingConfig.builder()
                .mode("full").instancePrompt("a photo of <s1>").priorPreservation(false).newTokens(List.of("<s1>"))
                .build());
        assertTrue(tokens.getMessage().contains("newTokens"), tokens.getMessage());
    }

    private static ProgressListener lossesOf(List<Float> losses) {
        return new ProgressListener() {
            @Override
            public void step(StepProgress progress) {
                losses.add(progress.loss());
            }
        };
    }
}
