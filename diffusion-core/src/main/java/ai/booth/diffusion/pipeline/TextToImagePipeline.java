package ai.booth.diffusion.pipeline;

import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.lora.AttachedLora;
import ai.booth.diffusion.lora.LoraAdapter;
import ai.booth.diffusion.runtime.NoGrad;
import ai.booth.diffusion.runtime.StackedNoise;
import ai.booth.diffusion.runtime.TorchGenerator;
import ai.booth.diffusion.scheduler.Scheduler;
import ai.booth.diffusion.scheduler.SchedulerConfig;
import ai.booth.diffusion.scheduler.Schedulers;
import ai.booth.diffusion.embedding.TextualInversion;
import ai.booth.diffusion.embedding.TokenEmbeddings;
import ai.booth.diffusion.tokenizer.CLIPTokenizer;
import ai.booth.diffusion.unet.ControlResiduals;
import ai.booth.diffusion.unet.DeepCache;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * Stable Diffusion text-to-image, computing what diffusers' {@code StableDiffusionPipeline} computes:
 * <ol>
 *   <li>prompt and negative prompt through the tokenizer and text encoder (each on its own, once per call, with
 *       A1111's clip skip);</li>
 *   <li>initial latents [1, 4, h/8, w/8] from {@code torch.Generator("cpu").manual_seed(seed)} (or a file), times
 *       the scheduler's {@code init_noise_sigma};</li>
 *   <li>per timestep: with guidance g &gt; 1, [uncond, cond] through the UNet as one batch and
 *       {@code eps = uncond + g·(cond − uncond)}; otherwise cond alone; then the scheduler step (ancestral samplers
 *       draw their noise from the same generator);</li>
 *   <li>{@code decode(latents / scaling_factor)}, then {@code (x/2 + 0.5).clamp(0, 1)}.</li>
 * </ol>
 * Image i of a request starts from seed + i (A1111 style). On a CPU the images are rendered one after another: each
 * is then exactly the image its own PNG parameters reproduce alone, and batching would gain nothing. On a GPU up to
 * {@link #GPU_STACK} images go through the UNet and VAE as one batch ({@link #stackImages}), each still drawing its
 * noise from its own generator ({@link StackedNoise}): the same images up to float rounding, a GPU kept busy. With
 * one image this is diffusers' result for {@code generator=torch.Generator("cpu").manual_seed(seed)}.
 *
 * <p>LoRA files are loaded once per pipeline (kept until {@link #close}) and attached for a call at its scales, so
 * the base model is never reloaded; scale 0 is the base model exactly. A pipeline changes its model's LoRA state
 * while it runs, so calls are serialised; the model itself stays the caller's.
 *
 * <p>Memory: the text embeddings of a call live in the call's manager, each image in a sub-manager, each step in a
 * sub-manager of that; nothing outlives the call except the returned float images.
 */
public final class TextToImagePipeline implements AutoCloseable {

    /**
     * Images of a request rendered as one batch on a GPU (a UNet batch of 16 with guidance): what the sampler's
     * request limit allows at once; not measured on a GPU here (none is), so a node short of memory sets less.
     */
    public static final int GPU_STACK = 8;

    private final StableDiffusionModel model;
    private static final System.Logger LOG = System.getLogger(TextToImagePipeline.class.getName());

    private final CLIPTokenizer tokenizer;
    private final SchedulerConfig schedulerConfig;
    private final Map<Path, LoraAdapter> adapters = new HashMap<>();
    private final Map<Path, String> loraHashes = new HashMap<>();
    private final ControlNetUnits controlNets;
    private int stack;

    /**
     * @param schedulerConfig the model's scheduler config: every scheduler of a request is built from it, with the
     *                        request's overrides, as diffusers' {@code Scheduler.from_config(pipe.scheduler.config)}
     */
    public TextToImagePipeline(StableDiffusionModel model, CLIPTokenizer tokenizer, SchedulerConfig schedulerConfig) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.schedulerConfig = schedulerConfig;
        this.controlNets = new ControlNetUnits(model);
        this.stack = model.options().device().isGpu() ? GPU_STACK : 1;
    }

    public TextToImagePipeline(StableDiffusionModel model, PipelineAssets assets) {
        this(model, assets.tokenizer(), assets.schedulerConfig());
    }

    /** A pipeline over a model that has its own tokenizer and scheduler config (a diffusers folder). */
    public static TextToImagePipeline of(StableDiffusionModel model) {
        return new TextToImagePipeline(model, PipelineAssets.of(model));
    }

    public StableDiffusionModel model() {
        return model;
    }

    /**
     * A pipeline over {@code other} with this one's tokenizer and scheduler config, e.g. the copies a full fine-tune
     * is training; close it when done (it loads its own LoRAs).
     */
    public TextToImagePipeline over(StableDiffusionModel other) {
        return new TextToImagePipeline(other, tokenizer, schedulerConfig);
    }

    /**
     * How many images of a request go through the model as one batch (1: one after another, the CPU's default for
     * bit-exact replays; {@link #GPU_STACK} on a GPU). Requests with ControlNets render one image at a time.
     */
    public synchronized TextToImagePipeline stackImages(int images) {
        if (images < 1) {
            throw new IllegalArgumentException("images per batch must be at least 1, got " + images);
        }
        this.stack = images;
        return this;
    }

    /** The model's name for infotexts: the folder or file name without {@code .safetensors}. */
    public String modelName() {
        return LoraRequest.stem(model.source());
    }

    /** The size used when a request leaves width or height at 0: the UNet's sample size in pixels. */
    public int defaultSize() {
        return model.unet().config().sampleSize() * model.vae().config().downscale();
    }

    public GenerationResult generate(GenerationParams params) {
        return generate(params, StepListener.NONE, () -> false);
    }

    public GenerationResult generate(GenerationParams params, StepListener listener, BooleanSupplier cancelled) {
        return generateAll(List.of(params), listener, cancelled).get(0);
    }

    /**
     * Renders several requests in one call: LoRA files are attached once and text embeddings are shared between
     * requests with the same text, clip skip and text-encoder LoRA scales. Each image is computed exactly as
     * {@link #generate} computes it alone.
     *
     * @param cancelled checked before every step; when it answers true the call ends with a
     *                  {@link CancellationException} and frees everything it made
     */
    public synchronized List<GenerationResult> generateAll(List<GenerationParams> requests, StepListener listener,
                                                           BooleanSupplier cancelled) {
        List<GenerationParams> sized = requests.stream().map(this::withSize).toList();
        Progress progress = new Progress(listener, cancelled,
                sized.stream().mapToInt(p -> evaluations(p) * p.imagesPerPrompt()).sum());
        List<LoraRequest> union = new ArrayList<>();
        sized.forEach(p -> union.addAll(p.loras()));
        try (NoGrad noGrad = NoGrad.enter();
             NDManager call = NDManager.newBaseManager(model.options().device());
             Attached loras = attach(union);
             TokenEmbeddings embeddingFiles = TokenEmbeddings.load(embeddingFiles(sized, union), model.textEncoder());
             TokenEmbeddings.Attached tokens = embeddingFiles.attach(model.textEncoder(), tokenizer)) {
            embeddingFiles.notes().forEach(n -> LOG.log(System.Logger.Level.WARNING, n));
            Call shared = new Call(call, loras, embeddingFiles, tokens, new HashMap<>(), progress);
            List<GenerationResult> results = new ArrayList<>();
            try {
                for (GenerationParams p : sized) {
                    results.add(renderRequest(p, shared));
                }
            } finally {
                model.unet().tokenMerging(0);
            }
            return results;
        }
    }

    /** What the requests of one {@link #generateAll} call share. */
    private record Call(NDManager manager, Attached loras, TokenEmbeddings embeddingFiles,
                       TokenEmbeddings.Attached tokens, Map<EmbeddingKey, NDArray> embeddings, Progress progress) { }

    private GenerationResult renderRequest(GenerationParams p, Call call) {
        long start = System.nanoTime();
        call.loras().setScales(p.loras());
        model.unet().tokenMerging(p.tokenMerging());
        try (NDManager request = call.manager().newSubManager()) {
            CLIPTokenizer tok = call.tokens().tokenizer();
            NDArray cond = embedding(tok, p.prompt(), p, call.loras(), call.embeddings(), call.manager());
            NDArray context = cond;
            if (p.classifierFreeGuidance()) {
                context = embedding(tok, p.negativePrompt(), p, call.loras(), call.embeddings(), call.manager())
                        .concat(cond);
                context.attach(request);
            }
            NDArray initial = p.initialLatents() == null ? null : initialLatents(p, request);
            List<ControlNetUnits.Unit> units = controlNets.prepare(p, request);
            List<ImageResult> images = new ArrayList<>();
            Map<String, String> ti = call.embeddingFiles().hashesUsedBy(tok, List.of(p.prompt(), p.negativePrompt()));
            int batch = units.isEmpty() ? stack : 1;   // ControlNet residuals are per image
            for (int first = 0; first < p.imagesPerPrompt(); first += batch) {
                int n = Math.min(batch, p.imagesPerPrompt() - first);
                NDArray noise = initial == null ? null : initial.get(first + ":" + (first + n));
                images.addAll(render(p, first, n, new Conditioning(context, cond, units), noise, request,
                        call.progress(), ti));
            }
            return new GenerationResult(images, Duration.ofNanos(System.nanoTime() - start));
        }
    }

    /**
     * Model evaluations per image: usually the steps, fewer when a sampler's timesteps coincide (DPM++ Karras
     * rounds and de-duplicates them, as diffusers does). Building the scheduler here also rejects bad overrides
     * before any work is done.
     */
    private int evaluations(GenerationParams p) {
        try (Scheduler scheduler = scheduler(p)) {
            scheduler.setTimesteps(p.steps());
            return scheduler.timesteps().length;
        }
    }

    private Scheduler scheduler(GenerationParams p) {
        return Schedulers.create(p.scheduler(), schedulerConfig, p.schedulerOverrides());
    }

    /** The request with the size it will render at (e.g. to prepare control maps at the output size). */
    public GenerationParams sized(GenerationParams p) {
        return withSize(p);
    }

    /** Width and height left at 0 come from the initial latents when given, else from {@link #defaultSize}. */
    private GenerationParams withSize(GenerationParams p) {
        if (p.width() > 0 && p.height() > 0) {
            return p;
        }
        int f = model.vae().config().downscale();
        Shape latents = p.initialLatents() == null ? null : InitialLatents.shape(p.initialLatents());
        int w = latents == null ? defaultSize() : (int) latents.get(3) * f;
        int h = latents == null ? defaultSize() : (int) latents.get(2) * f;
        return p.toBuilder().width(p.width() > 0 ? p.width() : w).height(p.height() > 0 ? p.height() : h).build();
    }

    /**
     * The embedding files of a call: every request's, then those named by its adapters' metadata (a Booth pivotal
     * LoRA names its tokens' file, written beside it), each once. All are active for the whole call.
     */
    private List<Path> embeddingFiles(List<GenerationParams> requests, List<LoraRequest> loras) {
        Set<Path> files = new LinkedHashSet<>();
        requests.forEach(p -> p.embeddings().forEach(f -> files.add(key(f))));
        for (LoraRequest l : loras) {
            String named = adapters.get(key(l.file())).metadata().get(TextualInversion.ADAPTER_KEY);
            Path beside = named == null ? null : key(l.file()).resolveSibling(named);
            if (beside != null && Files.isRegularFile(beside)) {
                files.add(beside);
            }
        }
        return List.copyOf(files);
    }

    private NDArray embedding(CLIPTokenizer tokenizer, String text, GenerationParams p, Attached loras,
                              Map<EmbeddingKey, NDArray> cache, NDManager call) {
        return cache.computeIfAbsent(new EmbeddingKey(text, p.clipSkip(), loras.textEncoderScales()), k -> {
            try (NDManager scratch = call.newSubManager()) {
                NDArray ids = scratch.create(tokenizer.encodeBatch(List.of(text)));
                NDArray hidden = model.textEncoder().forward(ids, p.clipSkip());
                hidden.attach(call);
                return hidden;
            }
        });
    }

    /** What steers the UNet: text embeddings ([uncond, cond] with guidance), the prompt's alone, ControlNets. */
    private record Conditioning(NDArray context, NDArray cond, List<ControlNetUnits.Unit> units) {
        boolean guessMode() {
            return units.stream().anyMatch(ControlNetUnits.Unit::guessMode);
        }
    }

    /**
     * Images {@code first} … {@code first + n - 1} of a request as one batch: seeds → latents → denoising loop →
     * decoded float RGB; each image's noise from its own generator.
     */
    private List<ImageResult> render(GenerationParams request, int first, int n, Conditioning c,
                                     NDArray initialNoise, NDManager parent, Progress progress,
                                     Map<String, String> tiHashes) {
        List<GenerationParams> each = new ArrayList<>();
        for (int i = first; i < first + n; i++) {
            each.add(request.image(i));
        }
        GenerationParams p = each.get(0);
        int f = model.vae().config().downscale();
        try (NDManager image = parent.newSubManager();
             Scheduler scheduler = scheduler(p);
             DeepCache cache = p.deepCache() > 1 ? new DeepCache(p.deepCache(), image) : null) {
            scheduler.setTimesteps(p.steps());
            StackedNoise generator = new StackedNoise(each.stream().map(q -> new TorchGenerator(q.seed())).toList());
            NDArray latents = initialNoise != null ? initialNoise.toType(DataType.FLOAT32, true)
                    : generator.randn(image, new Shape(n, model.unet().config().inChannels(), p.height() / f,
                    p.width() / f));
            latents.attach(image);
            latents = latents.mul(scheduler.initNoiseSigma());
            float g = (float) p.guidanceScale();
            NDArray context = c.context();
            if (n > 1) {
                context = context.repeat(0, n);   // [uncond × n, cond × n]
                context.attach(image);
            }
            float[] timesteps = scheduler.timesteps();
            NDArray times = image.create(timesteps); // on the device once: no host-to-device copy inside the loop
            for (int i = 0; i < timesteps.length; i++) {
                float t = timesteps[i];
                progress.checkCancelled();
                try (NDManager step = image.newSubManager()) {
                    latents.attach(step);
                    boolean cfg = p.classifierFreeGuidance();
                    NDArray in = scheduler.scaleModelInput(cfg ? latents.concat(latents) : latents, t);
                    NDArray time = times.get(i);
                    time.attach(step);
                    ControlResiduals control = c.units().isEmpty() ? null : controlNets.residuals(c.units(), i,
                            timesteps.length, in, cfg && c.guessMode() ? scheduler.scaleModelInput(latents, t) : in,
                            time, c.context(), c.cond(), cfg);
                    NDArray eps = model.unet().forward(in, time, context, control, cache)
                            .toType(DataType.FLOAT32, false);
                    if (p.classifierFreeGuidance()) {
                        NDList halves = eps.split(2);
                        eps = halves.get(0).add(halves.get(1).sub(halves.get(0)).mul(g));
                    }
                    latents = scheduler.step(eps, t, latents, generator);
                    latents.attach(image);
                }
                for (int k = 0; k < n; k++) {
                    progress.stepDone(t);
                }
            }
            NDArray decoded = model.vae().decode(latents.div(model.vae().scalingFactor()))
                    .toType(DataType.FLOAT32, false).div(2f).add(0.5f).clip(0f, 1f);
            List<ImageResult> images = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                GenerationParams q = each.get(i);
                images.add(new ImageResult(q, Infotext.format(q, modelName(), model.contentHash(), loraHashes(q),
                        controlNets.hashes(q), tiHashes), q.width(), q.height(),
                        (n == 1 ? decoded : decoded.get(i)).toFloatArray()));
            }
            return images;
        }
    }

    private NDArray initialLatents(GenerationParams p, NDManager manager) {
        Path file = p.initialLatents();
        NDArray latents = InitialLatents.load(file, manager);
        int f = model.vae().config().downscale();
        Shape expected = new Shape(p.imagesPerPrompt(), model.unet().config().inChannels(), p.height() / f,
                p.width() / f);
        if (!latents.getShape().equals(expected)) {
            throw new IllegalArgumentException("initial latents " + file + " have shape " + latents.getShape()
                    + " but " + p.imagesPerPrompt() + " image(s) of " + p.width() + "x" + p.height() + " need "
                    + expected);
        }
        return latents;
    }

    private Map<String, String> loraHashes(GenerationParams p) {
        Map<String, String> hashes = new LinkedHashMap<>();
        p.loras().forEach(l -> hashes.put(l.name(), loraHashes.get(key(l.file()))));
        return hashes;
    }

    private Attached attach(List<LoraRequest> requested) {
        Map<Path, AttachedLora> attached = new LinkedHashMap<>();
        try {
            for (LoraRequest l : requested) {
                Path key = key(l.file());
                if (!attached.containsKey(key)) {
                    LoraAdapter adapter = adapters.computeIfAbsent(key, k -> LoraAdapter.load(k, model));
                    loraHashes.computeIfAbsent(key, ModelHashes::loraShortHash);
                    attached.put(key, adapter.attach(model, 0f, 0f));
                }
            }
        } catch (RuntimeException e) {
            attached.values().forEach(AttachedLora::close);
            throw e;
        }
        return new Attached(attached);
    }

    private static Path key(Path file) {
        return file.toAbsolutePath().normalize();
    }

    /** Releases the LoRA adapters and ControlNets loaded so far (not the model). */
    @Override
    public synchronized void close() {
        adapters.values().forEach(LoraAdapter::close);
        adapters.clear();
        controlNets.close();
    }

    /** The adapters of a call, attached; each request sets its scales and leaves the others at 0. */
    private record Attached(Map<Path, AttachedLora> byFile) implements AutoCloseable {

        void setScales(List<LoraRequest> loras) {
            Map<Path, LoraRequest> wanted = new HashMap<>();
            loras.forEach(l -> wanted.merge(key(l.file()), l, (a, b) -> a.withScales(a.unetScale() + b.unetScale(),
                    a.textEncoderScale() + b.textEncoderScale())));
            byFile.forEach((file, a) -> {
                LoraRequest l = wanted.get(file);
                a.setScales(l == null ? 0f : l.unetScale(), l == null ? 0f : l.textEncoderScale());
            });
        }

        /** Non-zero text-encoder scales by file: what, besides the text, decides an embedding. */
        Map<Path, Float> textEncoderScales() {
            Map<Path, Float> scales = new HashMap<>();
            byFile.forEach((file, a) -> {
                if (a.textEncoderScale() != 0f) {
                    scales.put(file, a.textEncoderScale());
                }
            });
            return scales;
        }

        @Override
        public void close() {
            byFile.values().forEach(AttachedLora::close);
        }
    }

    private record EmbeddingKey(String text, int clipSkip, Map<Path, Float> textEncoderScales) { }

    /** Step counting across a call, the listener, and the cancellation check. */
    private static final class Progress {
        private final StepListener listener;
        private final BooleanSupplier cancelled;
        private final int total;
        private final long start = System.nanoTime();
        private int done;

        Progress(StepListener listener, BooleanSupplier cancelled, int total) {
            this.listener = listener;
            this.cancelled = cancelled;
            this.total = total;
        }

        void checkCancelled() {
            if (cancelled.getAsBoolean()) {
                throw new CancellationException("generation cancelled after " + done + " of " + total + " steps");
            }
        }

        void stepDone(float timestep) {
            listener.onStep(++done, total, timestep, Duration.ofNanos(System.nanoTime() - start));
        }
    }
}
