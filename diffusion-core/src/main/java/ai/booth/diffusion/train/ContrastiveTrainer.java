package ai.booth.diffusion.train;

import ai.booth.diffusion.clip.CLIPModel;
import ai.booth.diffusion.eval.EvalImageProcessor;
import ai.booth.diffusion.eval.RgbImage;
import ai.booth.diffusion.loader.OwnedCopies;
import ai.booth.diffusion.nn.Ops;
import ai.booth.diffusion.runtime.TorchGenerator;
import ai.booth.diffusion.tokenizer.CLIPTokenizer;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Trains every weight of a transformers {@code CLIPModel} contrastively, as CLIP (Radford et al. 2021): in a batch of
 * n image–caption pairs, the cosine of each image with each caption, times a learned temperature {@code logit_scale},
 * gives n×n logits whose matching pairs are the targets of a cross-entropy over images and one over captions (their
 * mean is the loss). A batch never holds one caption twice, so no pair is a false negative of another. The
 * temperature is clamped to CLIP's limit of 100 after each update.
 *
 * <p>Pairs may add <em>hard negatives</em> (NegCLIP, Yuksekgonul et al. 2023): captions that differ from a pair's in
 * one attribute ("a red star" for "a blue star"). They join the batch's captions as extra columns of the image→text
 * cross-entropy only, so an image must tell its caption from its near misses — what in-batch negatives rarely ask
 * when other captions already differ in easier words. A negative equal to a caption of the batch is dropped.
 *
 * <p>Images go through the model folder's image processor and captions through its tokenizer, exactly as evaluation
 * will see them. Runs on a float32 trainable copy; AdamW, lr schedule, clipping; seeded and resumable bit for bit.
 */
public final class ContrastiveTrainer implements AutoCloseable {

    public static final String FORMAT = "booth.clip-checkpoint/1";
    /** CLIP's initial temperature, ln(1 / 0.07), and its ceiling, ln 100. */
    public static final float LOGIT_SCALE_INIT = (float) Math.log(1 / 0.07);
    private static final float LOGIT_SCALE_MAX = (float) Math.log(100);

    /** Image–caption pairs. */
    public interface Pairs {
        int size();

        RgbImage image(int index);

        String caption(int index);

        /** Captions {@code index}'s image does not show, drawn with {@code rng} (seeded per step); none by default. */
        default List<String> hardNegatives(int index, SplittableRandom rng) {
            return List.of();
        }
    }

    /** @param batchSize pairs per step, at most the number of distinct captions */
    public record Settings(int steps, int batchSize, double lr, String lrSchedule, int warmupSteps,
                           double weightDecay, double maxGradNorm, long seed) {
        public Settings {
            if (steps < 1 || batchSize < 2 || !(lr > 0) || warmupSteps < 0 || !(weightDecay >= 0)) {
                throw new IllegalArgumentException("contrastive training needs steps >= 1, batch size >= 2, lr > 0, "
                        + "warmup >= 0 and weight decay >= 0; got " + steps + ", " + batchSize + ", " + lr + ", "
                        + warmupSteps + ", " + weightDecay);
            }
        }
    }

    /** One step: the loss, the share of images whose own caption scored highest, the temperature after the step. */
    public record StepReport(int step, float loss, float accuracy, float logitScale, double lr) { }

    record State(String format, int step, long optimizerSteps, Settings settings, int pairs, String order,
                 DataOrder.State dataOrder, double elapsedSeconds) { }

    private final CLIPModel clip;
    private final NDManager root;
    private final NDArray logitScale;
    private final Map<String, NDArray> parameters = new LinkedHashMap<>();
    private final AdamW optimizer;
    private final CLIPTokenizer tokenizer;
    private final EvalImageProcessor processor;
    private final Pairs pairs;
    private final Settings settings;
    private final LrSchedule schedule;
    private final TorchGenerator orderStream;
    private final DataOrder order;
    private int stepsDone;
    private double elapsedSeconds;

    private ContrastiveTrainer(CLIPModel base, CLIPTokenizer tokenizer, EvalImageProcessor processor, Pairs pairs,
                               Settings settings) {
        this.clip = OwnedCopies.clip(base);
        this.tokenizer = tokenizer;
        this.processor = processor;
        this.pairs = pairs;
        this.settings = settings;
        this.root = NDManager.newBaseManager(clip.parameters().values().iterator().next().getDevice());
        this.logitScale = root.full(new Shape(), LOGIT_SCALE_INIT, DataType.FLOAT32);
        parameters.putAll(clip.parameters());
        parameters.put("logit_scale", logitScale);
        parameters.values().forEach(p -> p.setRequiresGradient(true));
        // as CLIP: weight decay on matrices only, not on gains, biases, embeddings' norms or the temperature
        Map<String, NDArray> matrices = new LinkedHashMap<>();
        Map<String, NDArray> others = new LinkedHashMap<>();
        parameters.forEach((k, p) -> (p.getShape().dimension() >= 2 ? matrices : others).put(k, p));
        this.optimizer = new AdamW(new AdamW.Settings(0.9, 0.98, 1e-6, settings.weightDecay()),
                List.of(new AdamW.Group("matrices", settings.lr(), matrices),
                        new AdamW.Group("gains_biases", settings.lr(), 0.0, others)));
        this.schedule = new LrSchedule(settings.lrSchedule(), settings.warmupSteps(), settings.steps(), Double.NaN, 1.0);
        this.orderStream = new RandomStreams(settings.seed()).get(RandomStreams.Purpose.DATA_ORDER);
        this.order = new DataOrder(pairs.size(), orderStream);
    }

    /**
     * A new run on a trainable copy of {@code base}, with the processor and tokenizer evaluation uses (from the
     * model's folder).
     */
    public static ContrastiveTrainer start(CLIPModel base, CLIPTokenizer tokenizer, EvalImageProcessor processor,
                                           Pairs pairs, Settings settings) {
        return new ContrastiveTrainer(base, tokenizer, processor, pairs, settings);
    }

    /** Continues the run saved in {@code checkpoint}; {@code steps} may extend it (0 keeps the saved count). */
    public static ContrastiveTrainer resume(CLIPModel base, CLIPTokenizer tokenizer, EvalImageProcessor processor,
                                            Pairs pairs, Path checkpoint, int steps) {
        State state = WeightsCheckpoint.readState(checkpoint, State.class, FORMAT);
        if (state.pairs() != pairs.size()) {
            throw new IllegalArgumentException("checkpoint " + checkpoint + " was trained on " + state.pairs()
                    + " pairs, not " + pairs.size());
        }
        Settings s = state.settings();
        Settings settings = steps == 0 ? s : new Settings(steps, s.batchSize(), s.lr(), s.lrSchedule(),
                s.warmupSteps(), s.weightDecay(), s.maxGradNorm(), s.seed());
        ContrastiveTrainer t = new ContrastiveTrainer(base, tokenizer, processor, pairs, settings);
        try {
            JniUtils.setGradMode(false);
            WeightsCheckpoint.restore(checkpoint, t.parameters, t.optimizer, state.optimizerSteps());
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

    /** The model being trained, valid until closed. */
    public CLIPModel trained() {
        return clip;
    }

    /** Every weight by transformers key, {@code logit_scale} included: what a {@code model.safetensors} holds. */
    public Map<String, NDArray> weights() {
        return parameters;
    }

    /** One optimizer step on the next batch of pairs with distinct captions. */
    public StepReport trainStep() {
        JniUtils.setGradMode(false);   // per thread; AdamW's in-place updates need it off
        long t0 = System.nanoTime();
        List<RgbImage> images = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        List<Integer> chosen = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int tries = 0; captions.size() < settings.batchSize(); tries++) {
            if (tries > 4 * pairs.size()) {
                throw new IllegalArgumentException("a batch of " + settings.batchSize() + " distinct captions cannot "
                        + "be drawn from " + pairs.size() + " pairs");
            }
            int i = order.next();
            if (seen.add(pairs.caption(i))) {
                images.add(pairs.image(i));
                captions.add(pairs.caption(i));
                chosen.add(i);
            }
        }
        int n = captions.size();
        List<String> texts = new ArrayList<>(captions);
        SplittableRandom negativeStream = new SplittableRandom(settings.seed() * 0x9E3779B97F4A7C15L + stepsDone);
        for (int i : chosen) {
            for (String negative : pairs.hardNegatives(i, negativeStream)) {
                if (seen.add(negative)) {
                    texts.add(negative);
                }
            }
        }
        double lr = schedule.lr(stepsDone, settings.lr());
        float loss;
        float accuracy;
        try (NDManager step = root.newSubManager()) {
            // Inputs in libtorch-owned memory: autograd keeps the pixels (patch embedding) and the ids (embedding).
            NDArray pixels = owned(processor.batch(images, step));
            NDArray ids = owned(step.create(throughLastEnd(tokenizer.encodeBatch(texts))));
            try (NDArray targets = step.eye(n);
                 GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray image = unit(clip.imageEmbeds(pixels));
                NDArray text = unit(clip.textEmbeds(ids));
                NDArray logits = image.matMul(text.transpose()).mul(logitScale.exp());   // [n, n + negatives]
                NDArray pairLogits = logits.get(":, :{}", n);
                NDArray perImage = logits.logSoftmax(1).get(":, :{}", n).mul(targets).sum().neg();
                NDArray perCaption = pairLogits.logSoftmax(0).mul(targets).sum().neg();
                NDArray total = Ops.scale(perImage.add(perCaption), 0.5f / n);
                collector.backward(total);
                loss = total.getFloat();
                accuracy = logits.argMax(1).eq(step.arange(0, n, 1, DataType.INT64)).toType(DataType.FLOAT32, false)
                        .mean().getFloat();
            }
            Map<String, NDArray> grads = new LinkedHashMap<>();
            parameters.forEach((name, p) -> {
                NDArray g = p.getGradient();
                g.attach(step);
                grads.put(name, g);
            });
            if (settings.maxGradNorm() > 0) {
                GradientClipping.clip(grads.values(), settings.maxGradNorm());
            }
            optimizer.step(new double[] {lr, lr}, grads);
            parameters.values().forEach(p -> JniUtils.zeroGrad((ai.djl.pytorch.engine.PtNDArray) p));
            logitScale.set(new float[] {Math.min(logitScale.getFloat(), LOGIT_SCALE_MAX)});
        }
        stepsDone++;
        elapsedSeconds += (System.nanoTime() - t0) / 1e9;
        return new StepReport(stepsDone, loss, accuracy, logitScale.getFloat(), lr);
    }

    /**
     * The ids cut after the batch's last end token: the text tower's causal mask keeps every position from seeing
     * later ones, so the pooled end-token state is the same as with the full padding, at a fraction of the work.
     */
    private long[][] throughLastEnd(long[][] ids) {
        int eos = tokenizer.eosId();
        int keep = 1;
        for (long[] row : ids) {
            for (int j = 0; j < row.length; j++) {
                if (row[j] == eos) {
                    keep = Math.max(keep, j + 1);
                    break;
                }
            }
        }
        long[][] cut = new long[ids.length][];
        for (int i = 0; i < ids.length; i++) {
            cut[i] = java.util.Arrays.copyOf(ids[i], keep);
        }
        return cut;
    }

    private static NDArray unit(NDArray x) {
        return x.div(x.norm(new int[] {-1}, true));
    }

    private static NDArray owned(NDArray javaBacked) {
        NDArray copy = javaBacked.duplicate();
        javaBacked.close();
        return copy;
    }

    /** Writes a resumable checkpoint to {@code dir} (replacing one there), atomically. */
    public void checkpoint(Path dir) {
        WeightsCheckpoint.write(dir, parameters, optimizer, new State(FORMAT, stepsDone, optimizer.steps(), settings,
                pairs.size(), orderStream.state().encode(), order.state(), elapsedSeconds));
    }

    @Override
    public void close() {
        parameters.values().forEach(p -> p.setRequiresGradient(false));
        optimizer.close();
        clip.close();
        root.close();
    }
}
