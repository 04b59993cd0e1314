package ai.booth.diffusion.bench;

import ai.booth.diffusion.clip.CLIPTextModel;
import ai.booth.diffusion.loader.ModelConfigs;
import ai.booth.diffusion.nn.Flops;
import ai.booth.diffusion.nn.StateDict;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.unet.UNet2DConditionModel;
import ai.booth.diffusion.vae.AutoencoderKL;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Speed of the engine on SD-1.5-shaped random weights (the shapes, not the values, set the cost): UNet forward with
 * classifier-free-guidance batch 2 at latent 32 and 64, CLIP-L text encoder, VAE decode at 256² and 512², next to
 * a 4096² fp32 matmul run by the same libtorch in the same process. FLOPs are counted by the blocks as they run.
 *
 * <p>Arguments: {@code --runs N} timed runs per row (default 2, best is reported), {@code --skip64} to leave out
 * the latent-64 rows, {@code --device cpu|gpu}, {@code --dtype float32|float16}.
 */
public final class EngineBenchmark {

    private record Row(String what, double seconds, double gflop) { }

    private final List<Row> rows = new ArrayList<>();
    private final int runs;

    private EngineBenchmark(int runs) {
        this.runs = runs;
    }

    public static void main(String[] args) {
        int runs = 2;
        boolean skip64 = false;
        String device = "cpu";
        String dtype = "float32";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--skip64" -> skip64 = true;
                case "--device" -> device = args[++i];
                case "--dtype" -> dtype = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (use --runs N, --skip64, --device D, --dtype T)");
            }
        }
        EngineOptions options = EngineOptions.parse(device, dtype);
        new EngineBenchmark(runs).run(options, skip64);
    }

    private void run(EngineOptions options, boolean skip64) {
        Engine engine = Engine.getEngine("PyTorch");
        System.out.printf("libtorch %s, %d intra-op threads, %s, %d cores%n", engine.getVersion(),
                ai.djl.pytorch.jni.JniUtils.getNumThreads(), options, Runtime.getRuntime().availableProcessors());
        ModelConfigs sd15 = ModelConfigs.preset("sd15");
        try (NDManager root = NDManager.newBaseManager(options.device())) {
            double matmulBefore = matmul(root);
            try (UNet2DConditionModel unet = new UNet2DConditionModel(sd15.unet(),
                    StateDict.random(root.newSubManager(), options.dtype(), 1))) {
                unet(root, unet, 32);
                if (!skip64) {
                    unet(root, unet, 64);
                }
            }
            try (CLIPTextModel text = new CLIPTextModel(sd15.textEncoder(),
                    StateDict.random(root.newSubManager(), options.dtype(), 2))) {
                time("text encoder CLIP-L, batch 2 × 77 tokens", root, () -> {
                    NDManager m = root.newSubManager();
                    return new Object[] {m, text.forward(m.randomInteger(0, 49407, new Shape(2, 77), DataType.INT64), 1)};
                });
            }
            try (AutoencoderKL vae = new AutoencoderKL(sd15.vae(),
                    StateDict.random(root.newSubManager(), options.dtype(), 3))) {
                for (int latent : skip64 ? new int[] {32} : new int[] {32, 64}) {
                    time("VAE decode " + latent * 8 + "², batch 1", root, () -> {
                        NDManager m = root.newSubManager();
                        return new Object[] {m, vae.decode(m.randomNormal(new Shape(1, 4, latent, latent)))};
                    });
                }
            }
            // Other processes may share the cores: measure the reference again at the end and keep the better one.
            double best = Math.max(matmulBefore, matmul(root));
            rows.add(0, new Row("matmul 4096² fp32 (reference, best of start and end)", MATMUL_GFLOP / best, MATMUL_GFLOP));
            print(best);
        }
    }

    private static final double MATMUL_GFLOP = 2.0 * 4096 * 4096 * 4096 / 1e9;

    /** Best GFLOP/s of a few 4096² fp32 matrix products. */
    private static double matmul(NDManager root) {
        int n = 4096;
        try (NDManager m = root.newSubManager()) {
            NDArray a = m.randomNormal(new Shape(n, n));
            NDArray b = m.randomNormal(new Shape(n, n));
            a.matMul(b).close();
            double best = Double.MAX_VALUE;
            for (int i = 0; i < 5; i++) {
                long t0 = System.nanoTime();
                NDArray c = a.matMul(b);
                c.toFloatArray();
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
                c.close();
            }
            return MATMUL_GFLOP / best;
        }
    }

    private void unet(NDManager root, UNet2DConditionModel unet, int latent) {
        time("UNet SD-1.5, CFG batch 2, latent " + latent + " (" + latent * 8 + "²)", root, () -> {
            NDManager m = root.newSubManager();
            NDArray sample = m.randomNormal(new Shape(2, 4, latent, latent));
            NDArray t = m.create(new long[] {981, 981});
            NDArray ctx = m.randomNormal(new Shape(2, 77, 768));
            return new Object[] {m, unet.forward(sample, t, ctx)};
        });
    }

    /** Runs once to warm up, then {@code runs} times; records the best time and the FLOPs of one run. */
    private void time(String what, NDManager root, Supplier<Object[]> work) {
        double best = Double.MAX_VALUE;
        double gflop = 0;
        for (int i = 0; i <= runs; i++) {
            Flops.reset();
            long t0 = System.nanoTime();
            Object[] managerAndResult = work.get();
            ((NDArray) managerAndResult[1]).toFloatArray();
            double s = (System.nanoTime() - t0) / 1e9;
            gflop = Flops.count() / 1e9;
            ((NDManager) managerAndResult[0]).close();
            if (i > 0) {
                best = Math.min(best, s);
            }
            System.out.printf(Locale.ROOT, "  %s run %d: %.2f s%n", what, i, s);
        }
        rows.add(new Row(what, best, gflop));
    }

    private void print(double matmulRate) {
        System.out.println();
        System.out.println("| what | time (s) | GFLOP | GFLOP/s | vs matmul |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (Row r : rows) {
            double rate = r.gflop / r.seconds;
            System.out.printf(Locale.ROOT, "| %s | %.2f | %.1f | %.1f | %.2f |%n", r.what, r.seconds, r.gflop, rate,
                    rate / matmulRate);
        }
        System.out.printf(Locale.ROOT, "| peak RSS | %s | | | |%n", ProcessStats.peakRss());
    }
}
