package ai.booth.diffusion.train;

import ai.booth.diffusion.loader.DiffusersFolderLoader;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.runtime.EngineOptions;

import ai.booth.diffusion.io.SafeTensors;
import ai.djl.ndarray.NDManager;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.TreeMap;

/**
 * A DreamBooth LoRA run with prior preservation on a model folder, in a JVM of its own (for
 * {@link LongRunReproducibilityTest}). Args: model dir, resolution, steps, output dir. Prints one line per step
 * ({@code loss <step> <float bits>}) and then {@code adapter <sha-256 of the PEFT file's tensors>}.
 */
public final class LongRunMain {

    private LongRunMain() {
    }

    public static void main(String[] args) throws Exception {
        Path modelDir = Path.of(args[0]);
        int resolution = Integer.parseInt(args[1]);
        int steps = Integer.parseInt(args[2]);
        Path out = Path.of(args[3]);
        DreamBoothDataset data = new DreamBoothDataset(
                SyntheticImages.examples(SyntheticImages.subject(5, resolution, 1), "subject", "a photo of sks shape"),
                SyntheticImages.examples(SyntheticImages.others(10, resolution, 2), "class", "a photo of shape"));
        TrainingConfig config = TrainingConfig.builder().instancePrompt("a photo of sks shape")
                .classPrompt("a photo of shape").resolution(resolution).maxSteps(steps).randomFlip(true)
                .batchSize(1).lrSchedule("constant").lrUnet(1e-4).lrTextEncoder(5e-5).maxGradNorm(1.0).seed(7)
                .datasetId("long-run").build();
        try (StableDiffusionModel model = DiffusersFolderLoader.load(modelDir, EngineOptions.defaults());
             DreamBoothTrainer trainer = DreamBoothTrainer.start(model, LatentCache.encode(model, data, resolution,
                     config.randomFlip(), ProgressListener.NONE), config)) {
            TrainingResult result = trainer.run(out, new ProgressListener() {
                @Override
                public void step(StepProgress p) {
                    System.out.println("loss " + p.step() + " " + Float.floatToRawIntBits(p.loss()));
                }
            }, null, () -> false);
            // The tensors, not the file: its metadata carries the run's start and end times.
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            try (NDManager m = NDManager.newBaseManager()) {
                new TreeMap<>(SafeTensors.read(result.peftFile(), m)).forEach((name, t) -> {
                    sha.update(name.getBytes(StandardCharsets.UTF_8));
                    sha.update(t.toByteArray());
                });
            }
            System.out.println("adapter " + HexFormat.of().formatHex(sha.digest()));
        }
    }
}
