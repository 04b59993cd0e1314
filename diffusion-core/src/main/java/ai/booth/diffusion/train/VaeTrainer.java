package ai.booth.diffusion.train;

import ai.booth.diffusion.loader.OwnedCopies;
import ai.booth.diffusion.nn.Ops;
import ai.booth.diffusion.runtime.NoGrad;
import ai.booth.diffusion.runtime.TorchGenerator;
import ai.booth.diffusion.vae.AutoencoderKL;
import ai.booth.diffusion.vae.DiagonalGaussian;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Trains every weight of a diffusers {@code AutoencoderKL} (from random weights, say) as latent diffusion's
 * KL-regularised autoencoder (Rombach et al. 2022, appendix G) without its perceptual and adversarial terms: the mean
 * squared error between an image and the decoding of a sample of its posterior, plus β times the KL divergence of
 * the posterior from N(0, I) (mean over latent elements). Enough for flat synthetic scenes; photographs would want
 * the missing terms.
 *
 * <p>Runs on a float32 trainable copy of the given VAE; AdamW with an lr schedule and gradient clipping. Everything
 * random comes from the seed (data order, posterior noise), and a checkpoint resumes a run bit for bit.
 */
public final class VaeTrainer implements AutoCloseable {

    public static final String FORMAT = "booth.vae-checkpoint/1";

    /** Images the VAE learns, all {@code side}² RGB. */
    public interface Images {
        int size();

        int side();

        /** CHW floats in [−1, 1] of image {@code index}. */
        float[] pixels(int index);
    }

    /**
     * @param steps       optimizer steps
     * @param klWeight    β, the weight of the KL term
     * @param lrSchedule  one of {@link LrSchedule#NAMES}
     * @param maxGradNorm global gradient-norm clip; 0 = off
     */
    public record Settings(int steps, int batchSize, double lr, String lrSchedule, int warmupSteps, double klWeight,
                           double maxGradNorm, long seed) {
        public Settings {
            if (steps < 1 || batchSize < 1 || !(lr > 0) || !(klWeight >= 0) || warmupSteps < 0) {
                throw new IllegalArgumentException("VAE training needs steps >= 1, batch size >= 1, lr > 0, "
                        + "KL weight >= 0 and warmup >= 0; got " + steps + ", " + batchSize + ", " + lr + ", "
                        + klWeight + ", " + warmupSteps);
            }
        }
    }

    /** One optimizer step: the loss and its terms (KL per latent element), the gradient norm before clipping. */
    public record StepReport(int step, float loss, float reconstruction, float kl, double lr, double gradNorm) { }

    /** What a checkpoint holds besides the tensors. */
    record State(String format, int step, long optimizerSteps, Settings settings, int images, String noise,
                 String order, DataOrder.State dataOrder, double elapsedSeconds) { }

    private final AutoencoderKL vae;
    private final FullWeights weights;
    private final AdamW optimizer;
    private final Images images;
    private final Settings settings;
    private final LrSchedule schedule;
    private final TorchGenerator noise;
    private final TorchGenerator orderStream;
    private final DataOrder order;
    private final NDManager root;
    private int stepsDone;
    private double elapsedSeconds;

    private VaeTrainer(AutoencoderKL base, Images images, Settings settings) {
        if (images.size() < 1) {
            throw new IllegalArgumentException("VAE training needs at least one image");
        }
        int f = base.config().downscale();
        if (images.side() % f != 0) {
            throw new IllegalArgumentException("images of " + images.side() + " px are not a multiple of the VAE's "
                    + "downscale " + f);
        }
        this.images = images;
        this.settings = settings;
        this.vae = OwnedCopies.vae(base);
        this.root = NDManager.newBaseManager(base.parameters().values().iterator().next().getDevice());
        this.weights = new FullWeights("vae", vae.parameters());
        this.optimizer = new AdamW(new AdamW.Settings(0.9, 0.999, 1e-8, 0.0),
                List.of(new AdamW.Group("vae", settings.lr(), weights.parameters())));
        this.schedule = new LrSchedule(settings.lrSchedule(), settings.warmupSteps(), settings.steps(), Double.NaN, 1.0);
        RandomStreams streams = new RandomStreams(settings.seed());
        this.noise = streams.get(RandomStreams.Purpose.NOISE);
        this.orderStream = streams.get(RandomStreams.Purpose.DATA_ORDER);
        this.order = new DataOrder(images.size(), orderStream);
    }

    /** A new run on a trainable copy of {@code base} (the base itself is not changed). */
    public static VaeTrainer start(AutoencoderKL base, Images images, Settings settings) {
        return new VaeTrainer(base, images, settings);
    }

    /**
     * Continues the run saved in {@code checkpoint} (made from the same base and images); {@code steps} may extend
     * it (0 keeps the saved count).
     */
    public static VaeTrainer resume(AutoencoderKL base, Images images, Path checkpoint, int steps) {
        State state = WeightsCheckpoint.readState(checkpoint, State.class, FORMAT);
        if (state.images() != images.size()) {
            throw new IllegalArgumentException("checkpoint " + checkpoint + " was trained on " + state.images()
                    + " images, not " + images.size());
        }
        Settings s = state.settings();
        Settings settings = steps == 0 ? s : new Settings(steps, s.batchSize(), s.lr(), s.lrSchedule(),
                s.warmupSteps(), s.klWeight(), s.maxGradNorm(), s.seed());
        VaeTrainer t = new VaeTrainer(base, images, settings);
        try {
            JniUtils.setGradMode(false);
            WeightsCheckpoint.restore(checkpoint, t.weights.parameters(), t.optimizer, state.optimizerSteps());
            t.noise.restore(TorchGenerator.State.decode(state.noise()));
            t.orderStream.restore(TorchGenerator.State.decode(state.order()));
            t.order.restore(state.dataOrder());
            t.stepsDone = state.step();
            t.elapsedSeconds = state.elapsedSeconds();
            return t;
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    public static boolean isCheckpoint(Path dir) {
        return WeightsCheckpoint.exists(dir);
    }

    public int stepsDone() {
        return stepsDone;
    }

    public Settings settings() {
        return settings;
    }

    /** The VAE being trained, valid until closed. */
    public AutoencoderKL trained() {
        return vae;
    }

    /** One optimizer step on the next {@code batchSize} images. */
    public StepReport trainStep() {
        JniUtils.setGradMode(false);   // per thread; AdamW's in-place updates need it off
        long t0 = System.nanoTime();
        int n = settings.batchSize();
        int side = images.side();
        int plane = 3 * side * side;
        int f = vae.config().downscale();
        Shape latent = new Shape(n, vae.config().latentChannels(), side / f, side / f);
        float[] batch = new float[n * plane];
        for (int b = 0; b < n; b++) {
            System.arraycopy(images.pixels(order.next()), 0, batch, b * plane, plane);
        }
        float[] eps = noise.randn(latent.size());
        float loss;
        float reconstruction;
        float kl;
        double lr = schedule.lr(stepsDone, settings.lr());
        double norm = Double.NaN;
        try (NDManager step = root.newSubManager()) {
            // Inputs in libtorch-owned memory: autograd keeps x (first convolution) for backward.
            NDArray x = owned(step, batch, new Shape(n, 3, side, side));
            NDArray e = owned(step, eps, latent);
            try (GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
                DiagonalGaussian posterior = vae.encode(x);
                NDArray z = posterior.mean().add(Ops.scale(posterior.logvar(), 0.5f).exp().mul(e));
                NDArray rec = vae.decode(z).sub(x).square().mean();
                // ½·mean(μ² + σ² − log σ² − 1); the constant −½ moves no gradient, so it is added on the host only.
                NDArray klTerm = Ops.scale(posterior.mean().square().add(posterior.logvar().exp())
                        .sub(posterior.logvar()).mean(), 0.5f);
                NDArray total = rec.add(Ops.scale(klTerm, (float) settings.klWeight()));
                collector.backward(total);
                reconstruction = rec.getFloat();
                kl = klTerm.getFloat() - 0.5f;
                loss = reconstruction + (float) settings.klWeight() * kl;
            }
            Map<String, NDArray> grads = weights.gradients(step);
            if (settings.maxGradNorm() > 0) {
                norm = GradientClipping.clip(grads.values(), settings.maxGradNorm());
            }
            optimizer.step(new double[] {lr}, grads);
            weights.zeroGradients();
        }
        stepsDone++;
        elapsedSeconds += (System.nanoTime() - t0) / 1e9;
        return new StepReport(stepsDone, loss, reconstruction, kl, lr, norm);
    }

    private static NDArray owned(NDManager manager, float[] data, Shape shape) {
        try (NDArray view = manager.create(data, shape)) {
            return view.duplicate();
        }
    }

    /**
     * The standard deviation of the posterior means of the first {@code count} images — latent diffusion's
     * {@code scaling_factor} is its inverse, so the UNet sees latents of unit variance.
     */
    public double latentStd(int count) {
        int n = Math.min(count, images.size());
        double sum = 0;
        double sumSq = 0;
        long elements = 0;
        try (NoGrad ignored = NoGrad.enter(); NDManager scratch = root.newSubManager()) {
            for (int i = 0; i < n; i++) {
                int side = images.side();
                try (NDManager one = scratch.newSubManager()) {
                    NDArray mean = vae.encode(one.create(images.pixels(i), new Shape(1, 3, side, side))).mean();
                    for (float v : mean.toFloatArray()) {
                        sum += v;
                        sumSq += (double) v * v;
                        elements++;
                    }
                }
            }
        }
        double m = sum / elements;
        return Math.sqrt(Math.max(sumSq / elements - m * m, 0));
    }

    /** Writes a resumable checkpoint to {@code dir} (replacing one there), atomically. */
    public void checkpoint(Path dir) {
        WeightsCheckpoint.write(dir, weights.parameters(), optimizer, new State(FORMAT, stepsDone, optimizer.steps(),
                settings, images.size(), noise.state().encode(), orderStream.state().encode(), order.state(),
                elapsedSeconds));
    }

    @Override
    public void close() {
        weights.close();
        optimizer.close();
        vae.close();
        root.close();
    }
}
