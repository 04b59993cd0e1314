package ai.booth.diffusion.train;

import ai.booth.diffusion.loader.DiffusersFolderLoader;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.lora.LoraModule;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.testing.Reference;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The mixed-precision path (meant for GPUs) run on the CPU: a float16 model, float32 master factors, loss scaling.
 * It shows the path works end to end — half casts per step, gradients reaching the float32 masters, unscaling —
 * not how fast or how well it trains on a GPU, which this machine cannot show.
 */
class MixedPrecisionTest {

    @Test
    void float16ModelTrainsFloat32MastersWithLossScaling() {
        try (Reference ref = Reference.load();
             StableDiffusionModel half = DiffusersFolderLoader.load(ref.modelDir(), EngineOptions.parse("cpu", "float16"))) {
            int resolution = ref.imageSize();
            DreamBoothDataset data = new DreamBoothDataset(
                    SyntheticImages.examples(SyntheticImages.subject(2, resolution, 1), "s", "a photo of sks shape"),
                    SyntheticImages.examples(SyntheticImages.others(2, resolution, 2), "c", "a photo of shape"));
            TrainingConfig.Builder config = TrainingConfig.builder().instancePrompt("a photo of sks shape")
                    .classPrompt("a photo of shape").resolution(resolution).maxSteps(2).lrUnet(1e-3).seed(1);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DreamBoothTrainer.start(half,
                    LatentCache.encode(half, data, resolution, false, ProgressListener.NONE), config.build()));
            assertTrue(e.getMessage().contains("float32"), e.getMessage());

            try (DreamBoothTrainer t = DreamBoothTrainer.start(half, LatentCache.encode(half, data, resolution, false,
                    ProgressListener.NONE), config.mixedPrecision("fp16").build())) {
                for (int i = 0; i < 2; i++) {
                    DreamBoothTrainer.StepReport r = t.trainStep();
                    assertTrue(Float.isFinite(r.loss()) && !r.skipped(), r.toString());
                }
                for (LoraModule mod : t.adapter().modules()) {
                    assertEquals(DataType.FLOAT32, mod.up().getDataType(), "masters stay float32");
                    // B starts at 0 and only a gradient moves it: every module, q and k included, got one
                    assertTrue(mod.up().abs().max().getFloat() > 0, mod.peftName() + " lora_B got no gradient");
                }
            }
        }
    }
}
