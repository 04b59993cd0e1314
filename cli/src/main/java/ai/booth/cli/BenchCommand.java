package ai.booth.cli;

import ai.booth.diffusion.bench.EngineBenchmark;
import ai.booth.diffusion.bench.TrainingBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

import java.util.ArrayList;
import java.util.List;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"The engine benchmark (UNet, UNet + ControlNet, text encoder, VAE on SD-1.5-shaped weights "
                + "next to a matmul): --runs N, --skip64, --controlnet-only, --device cpu|gpu, "
                + "--dtype float32|float16.",
                "'bench train': one DreamBooth LoRA training step at latent 32 and 64: --runs N, --skip64, "
                        + "--no-text-encoder."})
final class BenchCommand implements Runnable {

    /** Everything after {@code bench} goes to the benchmark, which checks it. */
    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public void run() {
        if (!args.isEmpty() && args.get(0).equals("train")) {
            TrainingBenchmark.main(args.subList(1, args.size()).toArray(String[]::new));
        } else {
            EngineBenchmark.main(args.toArray(String[]::new));
        }
    }
}
