package ai.booth.diffusion.bench;

import ai.booth.diffusion.clip.CLIPTextModel;
import ai.booth.diffusion.loader.ModelConfigs;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.lora.LoraAdapter;
import ai.booth.diffusion.lora.LoraTargets;
import ai.booth.diffusion.nn.StateDict;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.runtime.TorchGenerator;
import ai.booth.diffusion.scheduler.Schedulers;
import ai.booth.diffusion.tokenizer.CLIPTokenizer;
import ai.booth.diffusion.train.AdamW;
import ai.booth.diffusion.train.DreamBoothLoss;
import ai.booth.diffusion.train.DreamBoothTrainer;
import ai.booth.diffusion.train.FullWeights;
import ai.booth.diffusion.train.LossScaler;
import ai.booth.diffusion.train.PromptEncoder;
import ai.booth.diffusion.train.TrainableLora;
import ai.booth.diffusion.train.TrainingBatch;
import ai.booth.diffusion.train.TrainingStep;
import ai.booth.diffusion.unet.UNet2DConditionModel;
import ai.booth.diffusion.vae.AutoencoderKL;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Speed and memory of one DreamBooth training step on SD-1.5-shaped random weights (the shapes set the cost): batch
 * 1 instance + 1 class example; a LoRA (rank 4 on the UNet's attention projections and the text encoder's, the text
 * encoder run under autograd) or a full fine-tune (every UNet weight of a trainable float32 copy, text encoder
 * frozen); AdamW, gradient clipping — forward + backward + update, at latent 32 (256²) and 64 (512²), with or
 * without gradient checkpointing. Peak RSS is this process's so far (freed memory stays with the allocator, see
 * {@code ./bench}), so compare memory between runs, not rows: one invocation per mode and checkpointing setting.
 *
 * <p>Arguments: {@code --runs N} timed steps per row (default 3, best and mean reported), {@code --skip64},
 * {@code --no-text-encoder} (UNet LoRA only, text embeddings computed once), {@code --mode lora|full},
 * {@code --checkpointing} (gradient checkpointing), {@code --tokenizer DIR} (a CLIP tokenizer folder;
 * default: the repository's fixture tokenizer). Run with {@code ./bench train}.
 */
public final class TrainingBenchmark {

    private record Row(String what, double best, double mean, double forwardBackward, String peakRss) { }

    public static void main(String[] args) {
        int runs = 3;
        boolean skip64 = false;
        boolean textEncoder = true;
        Path tokenizer = null;
        boolean full = false;
        boolean checkpointing = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--skip64" -> skip64 = true;
                case "--no-text-encoder" -> textEncoder = false;
                case "--tokenizer" -> tokenizer = Path.of(args[++i]);
                case "--mode" -> full = switch (args[++i]) {
                    case "lora" -> false;
                    case "full" -> true;
                    default -> throw new IllegalArgumentException("--mode lora|full, got " + args[i]);
                };
                case "--checkpointing" -> checkpointing = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (use --runs N, --skip64, --no-text-encoder, --mode lora|full, --checkpointing,"
                        + " --tokenizer DIR)");
            }
        }
        textEncoder &= !full;
        Engine engine = Engine.getEngine("PyTorch");
        System.out.printf("libtorch %s, %d intra-op threads, %d cores, load average %s%n", engine.getVersion(),
                ai.djl.pytorch.jni.JniUtils.getNumThreads(), Runtime.getRuntime().availableProcessors(), ProcessStats.loadAverage());
        CLIPTokenizer clip = CLIPTokenizer.fromFolder(tokenizer != null ? tokenizer : fixtureTokenizer());
        EngineOptions options = EngineOptions.defaults();
        ModelConfigs sd15 = ModelConfigs.preset("sd15");
        List<Row> rows = new ArrayList<>();
        try (NDManager root = NDManager.newBaseManager(options.device());
             StableDiffusionModel model = new StableDiffusionModel(
                     new CLIPTextModel(sd15.textEncoder(), StateDict.random(root.newSubManager(), options.dtype(), 2)),
                     new UNet2DConditionModel(sd15.unet(), StateDict.random(root.newSubManager(), options.dtype(), 1)),
                     new AutoencoderKL(sd15.vae(), StateDict.random(root.newSubManager(), options.dtype(), 3)),
                     sd15, options, null, null, "random")) {
            for (int latent : skip64 ? new int[] {32} : new int[] {32, 64}) {
                rows.add(full ? fullRow(model, clip, root, latent, runs, checkpointing)
                        : row(model, clip, root, latent, runs, textEncoder, checkpointing));
            }
        }
        System.out.println();
        System.out.println("| DreamBooth " + (full ? "full fine-tune step (every UNet weight)" : "LoRA step, rank 4"
                + (textEncoder ? ", UNet + text encoder" : ", UNet only")) + ", SD-1.5 shapes, batch 1 + prior 1"
                + " | best (s) | mean (s) | forward+backward (s) | peak RSS |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %s |%n", r.what(), r.best(), r.mean(),
                    r.forwardBackward(), r.peakRss());
        }
    }

    private static Row row(StableDiffusionModel model, CLIPTokenizer tokenizer, NDManager root, int latent, int runs,
                           boolean textEncoder, boolean checkpointing) {
        try (LoraAdapter adapter = LoraAdapter.create("bench", model, LoraTargets.attention(textEncoder), 4, 4f,
                new TorchGenerator(0));
             TrainableLora lora = new TrainableLora(adapter, model, textEncoder);
             PromptEncoder prompts = new PromptEncoder(tokenizer, model.textEncoder(), 1,
                     textEncoder ? null : root);
             AdamW optimizer = new AdamW(new AdamW.Settings(0.9, 0.999, 1e-8, 1e-2), groups(lora))) {
            TrainingStep step = new TrainingStep(lora, prompts, loss(model, model.unet(), checkpointing), optimizer,
                    1.0, LossScaler.disabled());
            return time(step, optimizer, root, latent, runs, checkpointing);
        }
    }

    /**
     * Every UNet weight, the text encoder frozen. The bench's random UNet is libtorch's own memory, so it trains in
     * place: what {@code booth train --mode full} holds once it freed the base UNet beside its trainable copy
     * ({@code DreamBoothTrainer.releaseBase}).
     */
    private static Row fullRow(StableDiffusionModel model, CLIPTokenizer tokenizer, NDManager root, int latent,
                               int runs, boolean checkpointing) {
        UNet2DConditionModel unet = model.unet();
        try (FullWeights weights = new FullWeights("unet", unet.parameters());
             PromptEncoder prompts = new PromptEncoder(tokenizer, model.textEncoder(), 1, root);
             AdamW optimizer = new AdamW(new AdamW.Settings(0.9, 0.999, 1e-8, 1e-2),
                     List.of(new AdamW.Group("unet", 5e-6, weights.parameters())))) {
            TrainingStep step = new TrainingStep(List.of(weights), prompts, loss(model, unet, checkpointing),
                    optimizer, 1.0, LossScaler.disabled());
            return time(step, optimizer, root, latent, runs, checkpointing);
        }
    }

    /** The DreamBooth loss (prior weight 1) of {@code unet} on the model's training schedule. */
    private static DreamBoothLoss loss(StableDiffusionModel model, UNet2DConditionModel unet, boolean checkpointing) {
        return new DreamBoothLoss(unet, Schedulers.create("ddpm", DreamBoothTrainer.schedulerConfig(model), Map.of()),
                1.0, checkpointing);
    }

    private static Row time(TrainingStep step, AdamW optimizer, NDManager root, int latent, int runs,
                            boolean checkpointing) {
        double[] lrs = optimizer.groups().stream().mapToDouble(AdamW.Group::lr).toArray();
        TorchGenerator noise = new TorchGenerator(1);
        double best = Double.MAX_VALUE;
        double sum = 0;
        double forwardBackward = 0;
        for (int i = 0; i <= runs; i++) {
            try (NDManager m = root.newSubManager()) {
                Shape shape = new Shape(2, 4, latent, latent);
                TrainingBatch batch = new TrainingBatch(noise.randn(m, shape), noise.randn(m, shape),
                        m.create(noise.randint(0, 1000, 2)), List.of("a photo of sks dog", "a photo of dog"), 1);
                long t0 = System.nanoTime();
                step.accumulate(batch, 1.0);
                long t1 = System.nanoTime();
                step.apply(lrs);
                double s = (System.nanoTime() - t0) / 1e9;
                System.out.printf(Locale.ROOT, "  latent %d step %d: %.2f s (forward+backward %.2f s)%n", latent, i,
                        s, (t1 - t0) / 1e9);
                if (i > 0) {   // the first step builds oneDNN kernels and touches pages: warm-up
                    best = Math.min(best, s);
                    sum += s;
                    forwardBackward += (t1 - t0) / 1e9;
                }
            }
        }
        return new Row("latent " + latent + " (" + latent * 8 + "²)" + (checkpointing ? ", checkpointing" : ""),
                best, sum / runs, forwardBackward / runs, ProcessStats.peakRss());
    }

    private static List<AdamW.Group> groups(TrainableLora lora) {
        List<AdamW.Group> groups = new ArrayList<>(List.of(new AdamW.Group("unet", 1e-4, lora.unetParameters())));
        if (lora.trainsTextEncoder()) {
            groups.add(new AdamW.Group("text_encoder", 5e-5, lora.textEncoderParameters()));
        }
        return groups;
    }

    /** fixtures/sd-tiny/model/tokenizer (the real CLIP BPE vocabulary) from the working directory or above. */
    private static Path fixtureTokenizer() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path t = dir.resolve("fixtures/sd-tiny/model/tokenizer");
            if (Files.isDirectory(t)) {
                return t;
            }
        }
        throw new IllegalArgumentException("no fixtures/sd-tiny/model/tokenizer above " + Path.of("").toAbsolutePath()
                + "; pass --tokenizer DIR");
    }
}
