package ai.booth.diffusion.train;

import ai.booth.diffusion.clip.CLIPTextModel;
import ai.booth.diffusion.embedding.TextualInversion;
import ai.booth.diffusion.io.FileTrees;
import ai.booth.diffusion.loader.OwnedCopies;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.lora.LoraAdapter;
import ai.booth.diffusion.lora.LoraTargets;
import ai.booth.diffusion.nn.Ops;
import ai.booth.diffusion.scheduler.Scheduler;
import ai.booth.diffusion.scheduler.SchedulerConfig;
import ai.booth.diffusion.scheduler.Schedulers;
import ai.booth.diffusion.tokenizer.CLIPTokenizer;
import ai.booth.diffusion.unet.UNet2DConditionModel;
import ai.booth.diffusion.train.LatentCache.Part;
import ai.booth.diffusion.train.RandomStreams.Purpose;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.ObjectMapper;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * DreamBooth LoRA training of a Stable Diffusion model, as diffusers' {@code train_dreambooth_lora.py}: a fresh
 * PEFT-initialised adapter on the UNet's attention projections (and the text encoder's), trained with the
 * DreamBooth loss with prior preservation, AdamW, an lr schedule, gradient accumulation and clipping.
 *
 * <p>Each optimizer step draws {@code gradientAccumulation} micro-batches: {@code batchSize} instance examples in the
 * data order (example i of an epoch of max(#instance, #class) examples is instance image i mod #instance and class
 * image i mod #class, as diffusers' dataset), each maybe mirrored, their latents (sampled from the cached posterior),
 * noise and uniform timesteps over the training schedule. Everything random comes from the job's seed through
 * {@link RandomStreams}, so a seed reproduces a run and a checkpoint resumes it bit for bit (on the same machine).
 *
 * <p>The trainer owns the adapter it trains and the latent cache it is given; the model stays the caller's and is
 * left without the adapter when the trainer is closed.
 */
public final class DreamBoothTrainer implements AutoCloseable {

    static final String CACHE_FILE = "latent-cache.safetensors";
    /** Config fields that may change on resume: they do not affect the steps already taken. */
    private static final Set<String> RESUMABLE_CHANGES = Set.of("maxSteps", "epochs", "checkpointEvery",
            "checkpointsToKeep", "validationEvery", "validationPrompts", "validationSeed");

    private final StableDiffusionModel model;
    /** What the steps run on: {@link #model}, or in mode full a model over trainable copies of its networks. */
    private final StableDiffusionModel tuned;
    private final FullWeights fullUnet;
    private final FullWeights fullText;
    private final LatentCache data;
    private final TrainingConfig config;
    private final RandomStreams streams;
    private final LoraAdapter adapter;
    private final TrainableLora lora;
    private final TrainableEmbeddings embeddings;
    private final PromptEncoder prompts;
    private final AdamW optimizer;
    private final TrainingStep step;
    private final LrSchedule schedule;
    private final DataOrder order;
    private final NDManager root;
    private final int trainTimesteps;
    private final int totalSteps;
    private int stepsDone;
    private float lastLoss = Float.NaN;
    private double elapsedSeconds;

    private DreamBoothTrainer(StableDiffusionModel model, CLIPTokenizer tokenizer, SchedulerConfig schedulerConfig,
                              LatentCache data, TrainingConfig config) {
        this.model = model;
        this.data = data;
        this.config = config;
        checkPrecision(model, config);
        if (config.priorPreservation() && data.size(Part.CLASS) == 0) {
            throw new IllegalArgumentException("prior preservation needs class images; the dataset has none");
        }
        if (config.randomFlip() && !data.hasFlips()) {
            throw new IllegalArgumentException("random flips need a latent cache encoded with flips");
        }
        this.streams = new RandomStreams(config.seed());
        this.adapter = config.trainsLora() ? LoraAdapter.create("booth", model, loraTargets(config), config.rank(),
                config.alpha(), streams.get(Purpose.LORA_INIT)) : null;
        this.root = NDManager.newBaseManager(model.options().device());
        try {
            this.tuned = config.fullFineTune() ? trainableCopy(model, config.trainTextEncoder()) : model;
            this.fullUnet = tuned == model ? null : new FullWeights("unet", tuned.unet().parameters());
            this.fullText = tuned.textEncoder() == model.textEncoder() ? null
                    : new FullWeights("text_encoder", tuned.textEncoder().parameters());
            this.lora = adapter == null ? null : new TrainableLora(adapter, model, config.trainTextEncoder());
            this.embeddings = config.newTokens().isEmpty() ? null : newEmbeddings(tokenizer);
            CLIPTokenizer promptTokenizer = embeddings == null ? tokenizer
                    : tokenizer.withAddedTokens(embeddings.addedTokens(tokenizer));
            boolean textUnderAutograd = embeddings != null || fullText != null
                    || lora != null && lora.trainsTextEncoder();
            this.prompts = new PromptEncoder(promptTokenizer, tuned.textEncoder(), config.clipSkip(),
                    textUnderAutograd ? null : root);
            Scheduler ddpm = Schedulers.create("ddpm", schedulerConfig, Map.of());
            this.trainTimesteps = ddpm.schedule().numTrainTimesteps();
            List<AdamW.Group> groups = new ArrayList<>();
            List<Trainable> trained = new ArrayList<>();
            if (lora != null) {
                trained.add(lora);
                groups.add(new AdamW.Group("unet", config.lrUnet(), lora.unetParameters()));
                if (lora.trainsTextEncoder()) {
                    groups.add(new AdamW.Group("text_encoder", config.lrTextEncoder(), lora.textEncoderParameters()));
                }
            }
            if (fullUnet != null) {
                trained.add(fullUnet);
                groups.add(new AdamW.Group("unet", config.lrUnet(), fullUnet.parameters()));
            }
            if (fullText != null) {
                trained.add(fullText);
                groups.add(new AdamW.Group("text_encoder", config.lrTextEncoder(), fullText.parameters()));
            }
            if (embeddings != null) {
                trained.add(embeddings);
                groups.add(new AdamW.Group("embeddings", config.lrEmbeddings(), config.weightDecayEmbeddings(),
                        embeddings.parameters()));
            }
            this.optimizer = new AdamW(new AdamW.Settings(config.beta1(), config.beta2(), config.adamEps(),
                    config.weightDecay()), groups);
            DreamBoothLoss loss = new DreamBoothLoss(tuned.unet(), ddpm, config.priorLossWeight(),
                    config.gradientCheckpointing(), config.snrGamma());
            this.step = new TrainingStep(trained, prompts, loss, optimizer, config.maxGradNorm(),
                    config.mixedPrecision().equals("fp16") ? LossScaler.dynamic() : LossScaler.disabled());
            int epochLength = epochLength();
            this.totalSteps = config.epochs() > 0 ? config.epochs() * stepsPerEpoch(epochLength) : config.maxSteps();
            this.schedule = new LrSchedule(config.lrSchedule(), config.warmupSteps(), totalSteps, config.lrCycles(),
                    config.lrPower());
            this.order = new DataOrder(epochLength, streams.get(Purpose.DATA_ORDER));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * A new job on prepared data (see {@link LatentCache#encode}); the trainer takes ownership of {@code data}.
     * The tokenizer and the training noise schedule come from the model's diffusers folder.
     */
    public static DreamBoothTrainer start(StableDiffusionModel model, LatentCache data, TrainingConfig config) {
        return start(model, tokenizer(model), schedulerConfig(model), data, config);
    }

    /**
     * A new job with an explicit tokenizer and scheduler config (whose noise schedule and prediction type are the
     * training's), e.g. for a single-file checkpoint.
     */
    public static DreamBoothTrainer start(StableDiffusionModel model, CLIPTokenizer tokenizer,
                                          SchedulerConfig schedulerConfig, LatentCache data, TrainingConfig config) {
        try {
            return new DreamBoothTrainer(model, tokenizer, schedulerConfig, data, config);
        } catch (RuntimeException e) {
            data.close();
            throw e;
        }
    }

    /**
     * Continues the job saved in {@code checkpoint} exactly where it stopped. {@code config} may be null (the saved
     * one) or the saved one with other step counts, checkpoint or validation settings — e.g. to train longer.
     */
    public static DreamBoothTrainer resume(StableDiffusionModel model, Path checkpoint, TrainingConfig config) {
        return resume(model, tokenizer(model), schedulerConfig(model), checkpoint, config);
    }

    /** {@link #resume(StableDiffusionModel, Path, TrainingConfig)} with an explicit tokenizer and scheduler config. */
    public static DreamBoothTrainer resume(StableDiffusionModel model, CLIPTokenizer tokenizer,
                                           SchedulerConfig schedulerConfig, Path checkpoint, TrainingConfig config) {
        TrainingCheckpoint.State state = TrainingCheckpoint.readState(checkpoint);
        if (!state.baseModelHash().equals(model.contentHash())) {
            throw new IllegalArgumentException("checkpoint " + checkpoint + " was trained on base model "
                    + state.baseModelHash() + ", not on the loaded " + model.contentHash());
        }
        TrainingConfig effective = config == null ? state.config() : checkResumable(state.config(), config);
        DreamBoothTrainer t = start(model, tokenizer, schedulerConfig,
                LatentCache.load(checkpoint.resolve(TrainingCheckpoint.CACHE)), effective);
        try {
            JniUtils.setGradMode(false);   // per thread, on in a new one: the restored weights are written in place
            TrainingCheckpoint.restoreTensors(checkpoint, t.step.parameters(), t.optimizer, state.optimizerSteps());
            t.streams.restore(state.random());
            t.order.restore(state.dataOrder());
            t.step.scaler().restore(state.lossScale(), state.lossScaleGoodSteps());
            t.stepsDone = state.step();
            t.lastLoss = state.lastLoss();
            t.elapsedSeconds = state.elapsedSeconds();
            return t;
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    /**
     * The model with float32, libtorch-owned copies of its UNet (and text encoder) for a full fine-tune; the VAE and
     * everything else are the base's.
     */
    private static StableDiffusionModel trainableCopy(StableDiffusionModel model, boolean textEncoder) {
        UNet2DConditionModel unet = OwnedCopies.unet(model.unet());
        try {
            CLIPTextModel text = textEncoder ? OwnedCopies.textEncoder(model.textEncoder()) : model.textEncoder();
            return new StableDiffusionModel(text, unet, model.vae(), model.configs(), model.options(), model.source(),
                    model.configDir(), model.contentHash());
        } catch (RuntimeException e) {
            unet.close();
            throw e;
        }
    }

    /** New rows, drawn after the LoRA from the same stream: a LoRA job without new tokens draws as before. */
    private TrainableEmbeddings newEmbeddings(CLIPTokenizer tokenizer) {
        try (NDManager init = root.newSubManager()) {
            return new TrainableEmbeddings(model.textEncoder(), config.newTokens(),
                    TrainableEmbeddings.initialRows(model.textEncoder(), tokenizer, config.initializerToken(),
                            config.newTokens().size(), streams.get(Purpose.LORA_INIT), init));
        }
    }

    private static LoraTargets loraTargets(TrainingConfig config) {
        return config.loraTargets().equals("transformer")
                ? new LoraTargets(List.of(LoraTargets.UNET_TRANSFORMER),
                        config.trainTextEncoder() ? List.of(LoraTargets.TEXT_ALL) : List.of())
                : LoraTargets.attention(config.trainTextEncoder());
    }

    private static TrainingConfig checkResumable(TrainingConfig saved, TrainingConfig given) {
        ObjectMapper json = new ObjectMapper();
        Map<?, ?> a = json.convertValue(saved, Map.class);
        Map<?, ?> b = json.convertValue(given, Map.class);
        List<String> changed = new ArrayList<>();
        a.forEach((k, v) -> {
            if (!RESUMABLE_CHANGES.contains(k) && !String.valueOf(v).equals(String.valueOf(b.get(k)))) {
                changed.add(k + " (" + v + " -> " + b.get(k) + ")");
            }
        });
        if (!changed.isEmpty()) {
            throw new IllegalArgumentException("a resumed job must keep its training settings; changed: " + changed
                    + "; only " + new TreeSet<>(RESUMABLE_CHANGES) + " may change");
        }
        return given;
    }

    private static void checkPrecision(StableDiffusionModel model, TrainingConfig config) {
        DataType dtype = model.options().dtype();
        boolean fp16 = config.mixedPrecision().equals("fp16");
        if (fp16 != (dtype == DataType.FLOAT16)) {
            throw new IllegalArgumentException("mixed precision '" + config.mixedPrecision() + "' needs the model "
                    + "loaded as " + (fp16 ? "float16" : "float32") + ", it is " + dtype);
        }
    }

    private static CLIPTokenizer tokenizer(StableDiffusionModel model) {
        return CLIPTokenizer.fromFolder(model.tokenizerDir().orElseThrow(() -> new IllegalArgumentException(
                "the model has no tokenizer/ folder: pass a tokenizer (or load a diffusers folder, or a single file "
                        + "with a folder's configs)")));
    }

    /** The model's scheduler config (its noise schedule is the training schedule), or SD's when it has none. */
    public static SchedulerConfig schedulerConfig(StableDiffusionModel model) {
        return model.schedulerDir().map(d -> SchedulerConfig.fromFile(d.resolve("scheduler_config.json")))
                .orElseGet(() -> SchedulerConfig.of(Map.of("num_train_timesteps", 1000, "beta_start", 0.00085,
                        "beta_end", 0.012, "beta_schedule", "scaled_linear")));
    }

    private int epochLength() {
        int instances = data.size(Part.INSTANCE);
        return config.priorPreservation() ? Math.max(instances, data.size(Part.CLASS)) : instances;
    }

    private int stepsPerEpoch(int epochLength) {
        int batches = (epochLength + config.batchSize() - 1) / config.batchSize();
        return (batches + config.gradientAccumulation() - 1) / config.gradientAccumulation();
    }

    public TrainingConfig config() {
        return config;
    }

    /**
     * Closes the base model's networks this full fine-tune trains copies of — its UNet, and its text encoder when that
     * trains too — so they do not sit beside the copies, their gradients and AdamW moments (−3.4 GB at SD-1.5 on CPU
     * or GPU). Only for a model loaded for this job alone: nothing may run it afterwards. No effect in other modes.
     */
    public void releaseBase() {
        if (fullUnet != null) {
            model.unet().close();
        }
        if (fullText != null) {
            model.textEncoder().close();
        }
    }

    /** The model the steps train (a full fine-tune's copies; the base model otherwise), valid until closed. */
    public StableDiffusionModel trainedModel() {
        return tuned;
    }

    /** The adapter being trained (valid until the trainer is closed), or null in textual-inversion and full modes. */
    public LoraAdapter adapter() {
        return adapter;
    }

    /** The new token rows being trained, or null without new tokens. */
    public TrainableEmbeddings embeddings() {
        return embeddings;
    }

    public int stepsDone() {
        return stepsDone;
    }

    public int totalSteps() {
        return totalSteps;
    }

    public float lastLoss() {
        return lastLoss;
    }

    /** What one optimizer step did. */
    public record StepReport(int step, float loss, float lossInstance, float lossPrior, double lrUnet,
                             double gradNorm, boolean skipped) { }

    /** One optimizer step: {@code gradientAccumulation} micro-batches forward and backward, then the update. */
    public StepReport trainStep() {
        // PyTorch's grad mode is per thread and ON in a new thread (e.g. a service's worker thread); the collector
        // restores the mode it found, and AdamW's in-place updates of the factors need it off.
        JniUtils.setGradMode(false);
        long t0 = System.nanoTime();
        int accumulation = config.gradientAccumulation();
        float loss = 0;
        float instance = 0;
        float prior = 0;
        for (int a = 0; a < accumulation; a++) {
            try (NDManager micro = root.newSubManager()) {
                TrainingStep.Losses l = step.accumulate(nextBatch(micro), 1.0 / accumulation);
                loss += l.total() / accumulation;
                instance += l.instance() / accumulation;
                prior += l.prior() / accumulation;
            }
        }
        double[] lrs = optimizer.groups().stream().mapToDouble(g -> schedule.lr(stepsDone, g.lr())).toArray();
        TrainingStep.Update update = step.apply(lrs);
        stepsDone++;
        lastLoss = loss;
        elapsedSeconds += (System.nanoTime() - t0) / 1e9;
        return new StepReport(stepsDone, loss, instance, prior, lrs[0], update.gradNorm(), update.skipped());
    }

    /** The next micro-batch, drawn in a fixed order from the streams: examples, flips, latents, noise, timesteps. */
    private TrainingBatch nextBatch(NDManager manager) {
        int n = config.batchSize();
        boolean prior = config.priorPreservation();
        NDList latents = new NDList();
        List<String> texts = new ArrayList<>();
        List<NDArray> classLatents = new ArrayList<>();
        List<String> classTexts = new ArrayList<>();
        var sampler = config.latentSampling().equals("sample") ? streams.get(Purpose.LATENT_SAMPLING) : null;
        for (int b = 0; b < n; b++) {
            int i = order.next();
            int inst = i % data.size(Part.INSTANCE);
            latents.add(data.latents(Part.INSTANCE, inst, flip(), sampler, manager));
            texts.add(data.prompt(Part.INSTANCE, inst));
            if (prior) {
                int cls = i % data.size(Part.CLASS);
                classLatents.add(data.latents(Part.CLASS, cls, flip(), sampler, manager));
                classTexts.add(data.prompt(Part.CLASS, cls));
            }
        }
        latents.addAll(classLatents);
        texts.addAll(classTexts);
        NDArray x = NDArrays.concat(latents).toDevice(model.options().device(), false);
        x.attach(manager);
        NDArray noise = streams.get(Purpose.NOISE).randn(manager, x.getShape()).toDevice(x.getDevice(), false);
        if (config.noiseOffset() > 0) {   // drawn after the noise, so runs without it keep their streams
            Shape s = x.getShape();
            NDArray perChannel = streams.get(Purpose.NOISE).randn(manager, new Shape(s.get(0), s.get(1), 1, 1))
                    .toDevice(x.getDevice(), false);
            noise = noise.add(Ops.scale(perChannel, (float) config.noiseOffset()));
        }
        long[] t = streams.get(Purpose.TIMESTEPS).randint(0, trainTimesteps, (int) x.getShape().get(0));
        NDArray timesteps = manager.create(t).toDevice(x.getDevice(), false);
        return new TrainingBatch(x, noise, timesteps, texts, n);
    }

    private boolean flip() {
        return config.randomFlip() && streams.get(Purpose.FLIPS).rand(1)[0] < 0.5f;
    }

    /**
     * Trains to the last step, writing checkpoints and validation images on their schedules and the adapter files at
     * the end (see {@link TrainingOutput}). If {@code cancelled} turns true, the run stops before the next step and
     * writes a checkpoint to resume from instead of the adapter.
     *
     * @param renderer renders validation images; null skips validation
     */
    public TrainingResult run(Path outputDir, ProgressListener listener, ValidationRenderer renderer,
                              BooleanSupplier cancelled) {
        Instant started = Instant.now();
        Path cacheFile = outputDir.resolve(CACHE_FILE);
        try {
            Files.createDirectories(outputDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + outputDir, e);
        }
        if (!Files.exists(cacheFile)) {
            data.save(cacheFile);
        }
        Path lastCheckpoint = null;
        int startStep = stepsDone;
        long t0 = System.nanoTime();
        while (stepsDone < totalSteps) {
            if (cancelled.getAsBoolean()) {
                Path dir = checkpoint(outputDir, cacheFile, listener);
                return new TrainingResult(null, null, null, dir, stepsDone, lastLoss, true);
            }
            StepReport r = trainStep();
            double rate = (stepsDone - startStep) / ((System.nanoTime() - t0) / 1e9);
            listener.step(new StepProgress(stepsDone, totalSteps, r.loss(), r.lossInstance(), r.lossPrior(),
                    r.lrUnet(), rate, (totalSteps - stepsDone) / rate));
            if (config.checkpointEvery() > 0 && stepsDone % config.checkpointEvery() == 0 && stepsDone < totalSteps) {
                lastCheckpoint = checkpoint(outputDir, cacheFile, listener);
            }
            if (renderer != null && config.validatesAt(stepsDone, totalSteps)) {
                validate(outputDir, renderer, listener);
                if (tuned == model && listener.snapshotAt(stepsDone)) {
                    // named like the output folder, so a snapshot's embedding has the final file's trigger word
                    Path dir = outputDir.resolve("snapshots").resolve(String.format("step-%06d", stepsDone))
                            .resolve(outputDir.toAbsolutePath().normalize().getFileName().toString());
                    listener.snapshot(stepsDone, TrainingOutput.write(dir, adapter, embeddings, null, model, config,
                            stats(started), null));
                }
            }
        }
        return TrainingOutput.write(outputDir, adapter, embeddings, tuned == model ? null : tuned, model, config,
                stats(started), lastCheckpoint);
    }

    private TrainingOutput.Stats stats(Instant started) {
        return new TrainingOutput.Stats(stepsDone, order.epoch() + 1, lastLoss, data.size(Part.INSTANCE),
                config.priorPreservation() ? data.size(Part.CLASS) : 0, started, Instant.now(), elapsedSeconds);
    }

    /** Writes {@code checkpoints/checkpoint-<step>} under {@code outputDir}, dropping old ones beyond the limit. */
    private Path checkpoint(Path outputDir, Path cacheFile, ProgressListener listener) {
        Path dir = outputDir.resolve("checkpoints").resolve(String.format("checkpoint-%06d", stepsDone));
        try {
            Files.createDirectories(dir.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir.getParent(), e);
        }
        saveCheckpoint(dir, cacheFile);
        listener.checkpoint(stepsDone, dir);
        if (config.checkpointsToKeep() > 0) {
            pruneCheckpoints(dir.getParent());
        }
        return dir;
    }

    /** Writes a resumable checkpoint of the current state to {@code dir}, linking the saved cache into it. */
    public void saveCheckpoint(Path dir, Path cacheFile) {
        TrainingCheckpoint.State state = new TrainingCheckpoint.State(TrainingCheckpoint.FORMAT, stepsDone,
                optimizer.steps(), config, model.contentHash(), streams.state(), order.state(),
                step.scaler().scale(), step.scaler().goodSteps(), lastLoss, elapsedSeconds);
        TrainingCheckpoint.write(dir, state, step.parameters(), optimizer, cacheFile);
    }

    private void pruneCheckpoints(Path parent) {
        List<Path> all = checkpoints(parent.getParent());
        for (Path old : all.subList(0, Math.max(0, all.size() - config.checkpointsToKeep()))) {
            FileTrees.delete(old);
        }
    }

    /** The checkpoints a run into {@code outputDir} has left, oldest first (none when it has written none). */
    public static List<Path> checkpoints(Path outputDir) {
        Path parent = outputDir.resolve("checkpoints");
        if (!Files.isDirectory(parent)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(parent)) {
            return dirs.filter(p -> p.getFileName().toString().startsWith("checkpoint-")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoints in " + parent, e);
        }
    }

    private void validate(Path outputDir, ValidationRenderer renderer, ProgressListener listener) {
        List<BufferedImage> images;
        // The renderer tokenizes the prompts itself: new tokens reach it as a file of the rows trained so far.
        Path scratch = outputDir.resolve("validation-embeddings");
        try (NDManager manager = root.newSubManager();
             Trainable.Binding bound = lora == null ? () -> { } : lora.bind(manager)) {
            images = renderer.render(tuned, config.validationPrompts(), config.validationSeed(),
                    embeddingsSoFar(scratch));
        } finally {
            FileTrees.delete(scratch);
        }
        Path dir = outputDir.resolve("validation").resolve(String.format("step-%06d", stepsDone));
        List<Path> files = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            for (int i = 0; i < images.size(); i++) {
                Path f = dir.resolve(String.format("%02d.png", i));
                ImageIO.write(images.get(i), "png", f.toFile());
                files.add(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write validation images to " + dir, e);
        }
        listener.validation(stepsDone, files);
    }

    /** The new tokens' rows as trained so far, as one A1111 file in {@code dir}; none without new tokens. */
    private List<Path> embeddingsSoFar(Path dir) {
        if (embeddings == null) {
            return List.of();
        }
        return List.of(TextualInversion.save(dir, "validation", embeddings.tokens(), embeddings.rows(), Map.of())
                .get(0));
    }

    @Override
    public void close() {
        if (prompts != null) {
            prompts.close();
        }
        if (optimizer != null) {
            optimizer.close();
        }
        if (lora != null) {
            lora.close();
        }
        if (embeddings != null) {
            embeddings.close();
        }
        if (fullUnet != null) {
            fullUnet.close();
        }
        if (fullText != null) {
            fullText.close();
        }
        if (tuned != null && tuned != model) {   // the copies only: the VAE is the base's
            tuned.unet().close();
            if (tuned.textEncoder() != model.textEncoder()) {
                tuned.textEncoder().close();
            }
        }
        if (root != null) {
            root.close();
        }
        if (adapter != null) {
            adapter.close();
        }
        data.close();
    }
}
