package ai.booth.diffusion.bench;

import ai.booth.diffusion.clip.CLIPTextModel;
import ai.booth.diffusion.controlnet.ControlNetConfig;
import ai.booth.diffusion.controlnet.ControlNetModel;
import ai.booth.diffusion.loader.ModelConfigs;
import ai.booth.diffusion.nn.OpMeter;
import ai.booth.diffusion.nn.StateDict;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.unet.ControlResiduals;
import ai.booth.diffusion.unet.UNet2DConditionModel;
import ai.booth.diffusion.vae.AutoencoderKL;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Speed of the engine on SD-1.5-shaped random weights (the shapes, not the values, set the cost): UNet forward with
 * classifier-free-guidance batch 2 at latent 32 and 64, the same step steered by an SD-1.5 ControlNet (its forward
 * plus the UNet taking its residuals), CLIP-L text encoder, VAE decode at 256² and 512², next to a 4096² fp32
 * matmul run by the same libtorch in the same process. FLOPs are counted by the blocks as they run.
 *
 * <p>Each row is timed {@code --runs} times after a warm-up and reported as min / median / max; the UNet rows also
 * say where their median run's time went (convolutions, linears, attention, norms, the rest: {@link OpMeter}), and a
 * closing block compares the UNet with its physical limit here (its FLOPs at the matmul rate) and with diffusers.
 *
 * <p>Arguments: {@code --runs N} timed runs per row (default 3), {@code --skip64} to leave out
 * the latent-64 rows, {@code --controlnet-only} for the ControlNet rows (and the reference) alone,
 * {@code --device cpu|gpu}, {@code --dtype float32|float16}.
 */
public final class EngineBenchmark {

    /**
     * One benchmarked forward: its runs' times sorted, its FLOPs, and per kind of op the seconds and FLOPs of the
     * median run (empty for rows that are not broken down).
     */
    private record Row(String what, double[] seconds, double gflop, Map<OpMeter.Kind, double[]> kinds) {
        double min() {
            return seconds[0];
        }

        double median() {
            return seconds[seconds.length / 2];
        }

        double max() {
            return seconds[seconds.length - 1];
        }
    }

    /** diffusers 0.21 on Debian's PyTorch 1.13, the latent-32 UNet forward at CFG batch 2 on these cores (README). */
    private static final double DIFFUSERS_UNET32_SECONDS = 71.6;

    private final List<Row> rows = new ArrayList<>();
    private final int runs;

    private EngineBenchmark(int runs) {
        this.runs = runs;
    }

    public static void main(String[] args) {
        int runs = 3;
        boolean skip64 = false;
        boolean controlNetOnly = false;
        String device = "cpu";
        String dtype = "float32";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--skip64" -> skip64 = true;
                case "--controlnet-only" -> controlNetOnly = true;
                case "--device" -> device = args[++i];
                case "--dtype" -> dtype = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (use --runs N, --skip64, --controlnet-only, --device D, --dtype T)");
            }
        }
        EngineOptions options = EngineOptions.parse(device, dtype);
        new EngineBenchmark(runs).run(options, skip64, controlNetOnly);
    }

    private void run(EngineOptions options, boolean skip64, boolean controlNetOnly) {
        Engine engine = Engine.getEngine("PyTorch");
        System.out.printf("libtorch %s, %d intra-op threads, %s, %d cores%n", engine.getVersion(),
                ai.djl.pytorch.jni.JniUtils.getNumThreads(), options, Runtime.getRuntime().availableProcessors());
        ModelConfigs sd15 = ModelConfigs.preset("sd15");
        try (NDManager root = NDManager.newBaseManager(options.device())) {
            double matmulBefore = matmul(root);
            int[] latents = skip64 ? new int[] {32} : new int[] {32, 64};
            try (UNet2DConditionModel unet = new UNet2DConditionModel(sd15.unet(),
                    StateDict.random(root.newSubManager(), options.dtype(), 1));
                 ControlNetModel controlNet = new ControlNetModel(ControlNetConfig.of(sd15.unet(), 3, CANNY_HINT),
                         StateDict.random(root.newSubManager(), options.dtype(), 4))) {
                for (int latent : controlNetOnly ? new int[0] : latents) {
                    step(root, unet, null, latent);
                }
                for (int latent : latents) {
                    step(root, unet, controlNet, latent);
                }
            }
            if (!controlNetOnly) {
                textEncoderAndVae(root, sd15, options, latents);
            }
            // Other processes may share the cores: measure the reference again at the end and keep the better one.
            print(Math.max(matmulBefore, matmul(root)));
        }
    }

    private void textEncoderAndVae(NDManager root, ModelConfigs sd15, EngineOptions options, int[] latents) {
        try (CLIPTextModel text = new CLIPTextModel(sd15.textEncoder(),
                StateDict.random(root.newSubManager(), options.dtype(), 2))) {
            time("text encoder CLIP-L, batch 2 × 77 tokens", root, false, () -> {
                NDManager m = root.newSubManager();
                return new Object[] {m, text.forward(m.randomInteger(0, 49407, new Shape(2, 77), DataType.INT64), 1)};
            });
        }
        try (AutoencoderKL vae = new AutoencoderKL(sd15.vae(),
                StateDict.random(root.newSubManager(), options.dtype(), 3))) {
            for (int latent : latents) {
                time("VAE decode " + latent * 8 + "², batch 1", root, false, () -> {
                    NDManager m = root.newSubManager();
                    return new Object[] {m, vae.decode(m.randomNormal(new Shape(1, 4, latent, latent)))};
                });
            }
        }
    }

    /** lllyasviel/sd-controlnet-canny's hint encoder widths (diffusers' default). */
    private static final int[] CANNY_HINT = {16, 32, 96, 256};

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

    /**
     * One denoising step: the UNet alone, or steered by {@code controlNet} (null for none) — its forward on a control
     * image at 8× the latent size, then the UNet taking its residuals.
     */
    private void step(NDManager root, UNet2DConditionModel unet, ControlNetModel controlNet, int latent) {
        String what = (controlNet == null ? "UNet" : "UNet + ControlNet") + " SD-1.5, CFG batch 2, latent " + latent
                + " (" + latent * 8 + "²)";
        time(what, root, controlNet == null, () -> { // the UNet alone is broken down by kind of op
            NDManager m = root.newSubManager();
            NDArray sample = m.randomNormal(new Shape(2, 4, latent, latent));
            NDArray t = m.create(new long[] {981, 981});
            NDArray ctx = m.randomNormal(new Shape(2, 77, 768));
            ControlResiduals residuals = controlNet == null ? null : controlNet.forward(sample, t, ctx,
                    m.randomUniform(0, 1, new Shape(2, 3, latent * 8L, latent * 8L)), 1.0, false);
            return new Object[] {m, unet.forward(sample, t, ctx, residuals)};
        });
    }

    /**
     * Runs once to warm up, then {@code runs} times; records every time, the FLOPs and, with {@code breakDown}, the
     * median run's time per kind of op.
     */
    private void time(String what, NDManager root, boolean breakDown, Supplier<Object[]> work) {
        OpMeter.timing(breakDown);
        record Run(double seconds, Map<OpMeter.Kind, double[]> kinds) { }
        List<Run> timed = new ArrayList<>();
        double gflop = 0;
        for (int i = 0; i <= runs; i++) {
            OpMeter.reset();
            long t0 = System.nanoTime();
            Object[] managerAndResult = work.get();
            ((NDArray) managerAndResult[1]).toFloatArray();
            double s = (System.nanoTime() - t0) / 1e9;
            gflop = OpMeter.flops() / 1e9;
            ((NDManager) managerAndResult[0]).close();
            if (i > 0) {
                Map<OpMeter.Kind, double[]> kinds = new EnumMap<>(OpMeter.Kind.class);
                for (OpMeter.Kind kind : breakDown ? OpMeter.Kind.values() : new OpMeter.Kind[0]) {
                    kinds.put(kind, new double[] {OpMeter.nanos(kind) / 1e9, OpMeter.flops(kind) / 1e9});
                }
                timed.add(new Run(s, kinds));
            }
            System.out.printf(Locale.ROOT, "  %s run %d: %.2f s%n", what, i, s);
        }
        OpMeter.timing(false);
        timed.sort(Comparator.comparingDouble(Run::seconds));
        rows.add(new Row(what, timed.stream().mapToDouble(Run::seconds).toArray(), gflop,
                timed.get(timed.size() / 2).kinds()));
    }

    private void print(double matmulRate) {
        rows.add(0, new Row("matmul 4096² fp32 (reference, best of start and end)",
                new double[] {MATMUL_GFLOP / matmulRate}, MATMUL_GFLOP, Map.of()));
        System.out.println();
        System.out.println("| what | min (s) | median (s) | max (s) | GFLOP | GFLOP/s (median) | vs matmul |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|");
        for (Row r : rows) {
            double rate = r.gflop() / r.median();
            System.out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %.1f | %.1f | %.2f |%n", r.what(), r.min(),
                    r.median(), r.max(), r.gflop(), rate, rate / matmulRate);
        }
        System.out.printf(Locale.ROOT, "| peak RSS | %s | | | | | |%n", ProcessStats.peakRss());
        for (Row r : rows) {
            if (!r.kinds().isEmpty()) {
                printKinds(r, matmulRate);
            }
        }
        printComparison(matmulRate);
    }

    /** Where a UNet row's median run went, kind by kind; "the rest" is its time outside every measured op. */
    private static void printKinds(Row r, double matmulRate) {
        System.out.println();
        System.out.println("| " + r.what() + ", median run | time (s) | share | GFLOP | GFLOP/s | vs matmul |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        double measured = 0;
        for (Map.Entry<OpMeter.Kind, double[]> e : r.kinds().entrySet()) {
            double seconds = e.getValue()[0];
            double gflop = e.getValue()[1];
            measured += seconds;
            String rate = gflop == 0 ? "" : String.format(Locale.ROOT, "%.1f", gflop / seconds);
            String vs = gflop == 0 ? "" : String.format(Locale.ROOT, "%.2f", gflop / seconds / matmulRate);
            System.out.printf(Locale.ROOT, "| %s | %.2f | %.0f %% | %.1f | %s | %s |%n",
                    e.getKey().name().toLowerCase(Locale.ROOT), seconds, 100 * seconds / r.median(), gflop, rate, vs);
        }
        double rest = r.median() - measured;
        System.out.printf(Locale.ROOT, "| the rest (elementwise, layout, glue) | %.2f | %.0f %% | | | |%n", rest,
                100 * rest / r.median());
    }

    /** The UNet against its physical limit here (all its FLOPs at the matmul rate) and against diffusers. */
    private void printComparison(double matmulRate) {
        System.out.println();
        System.out.println("| UNet SD-1.5, CFG batch 2 | Booth median (s) | limit at the matmul rate (s) | Booth / limit"
                + " | diffusers 0.21 (s) | diffusers / Booth |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        for (Row r : rows) {
            if (r.kinds().isEmpty()) {
                continue;
            }
            double limit = r.gflop() / matmulRate;
            boolean anchored = r.what().contains("latent 32");
            System.out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %s | %s |%n", r.what(), r.median(), limit,
                    r.median() / limit, anchored ? String.format(Locale.ROOT, "%.1f", DIFFUSERS_UNET32_SECONDS) : "—",
                    anchored ? String.format(Locale.ROOT, "%.1f×", DIFFUSERS_UNET32_SECONDS / r.median()) : "—");
        }
    }
}
