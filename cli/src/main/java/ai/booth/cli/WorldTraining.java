package ai.booth.cli;

import ai.booth.diffusion.clip.CLIPConfig;
import ai.booth.diffusion.clip.CLIPModel;
import ai.booth.diffusion.clip.CLIPTextModel;
import ai.booth.diffusion.eval.EvalImageProcessor;
import ai.booth.diffusion.eval.RgbImage;
import ai.booth.diffusion.io.FileTrees;
import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.loader.DiffusersExport;
import ai.booth.diffusion.loader.DiffusersFolderLoader;
import ai.booth.diffusion.loader.ModelConfigs;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.loader.TransformersFolderLoader;
import ai.booth.diffusion.nn.StateDict;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.scheduler.SchedulerConfig;
import ai.booth.diffusion.tokenizer.CLIPTokenizer;
import ai.booth.diffusion.train.ContrastiveTrainer;
import ai.booth.diffusion.train.DreamBoothDataset;
import ai.booth.diffusion.train.DreamBoothTrainer;
import ai.booth.diffusion.train.LatentCache;
import ai.booth.diffusion.train.ProgressListener;
import ai.booth.diffusion.train.StepProgress;
import ai.booth.diffusion.train.TrainingConfig;
import ai.booth.diffusion.train.TrainingImages;
import ai.booth.diffusion.train.TrainingResult;
import ai.booth.diffusion.train.VaeTrainer;
import ai.booth.diffusion.unet.UNet2DConditionModel;
import ai.booth.diffusion.vae.AutoencoderKL;
import ai.booth.world.Attributes;
import ai.booth.world.Example;
import ai.booth.world.Renderer;
import ai.booth.world.Split;
import ai.booth.world.World;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Booth world's base model, trained from random weights by Booth's own engine, in stages under one folder, each
 * resumable: {@code init/} (the architecture, diffusers layout, random weights), {@code vae/} (the autoencoder on
 * world scenes, {@link VaeTrainer}), {@code base/} (random text encoder and UNet beside the trained VAE),
 * {@code diffusion/} (UNet and text encoder together on the scenes' latents and captions: a full fine-tune of
 * {@link DreamBoothTrainer} with every tenth scene also shown without its caption, so classifier-free guidance has an
 * unconditional model) and finally {@code model/} (text encoder and UNet in float16, what is shipped; the VAE stays
 * float32 as its {@code force_upcast} config asks).
 */
final class WorldTraining {

    /** The architecture's configs, in the jar. */
    private static final String CONFIGS = "/world-model/";
    private static final List<String> CONFIG_FILES = List.of("model_index.json", "scheduler/scheduler_config.json",
            "text_encoder/config.json", "unet/config.json", "vae/config.json");
    private static final String SCORER = "/world-scorer/";
    private static final List<String> TOKENIZER_FILES = List.of("vocab.json", "merges.txt", "tokenizer_config.json",
            "special_tokens_map.json");
    private static final EngineOptions FLOAT32 = new EngineOptions(Device.cpu(), DataType.FLOAT32);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Every number of a run; the defaults are the shipped model's. */
    record Plan(long seed, int images, int vaeSteps, int vaeBatch, int vaeCrop, double vaeLr, double klWeight,
                int steps, int batch, double lr, double snrGamma, int checkpointEvery, int scorerSteps,
                int scorerBatch, double scorerLr) {
        /**
         * Min-SNR-γ 5 and lr 1e-3: at 5e-4 without it, 4000 steps learnt colours and backgrounds but not shapes. The
         * scorer's 5000 steps: shape accuracy on new real scenes 0.63 seen, 0.78 held-out (27 min).
         */
        static Plan shipped() {
            return new Plan(World.DEFAULT_SEED, 10_000, 1500, 16, 32, 1e-3, 1e-6, 4000, 32, 1e-3, 5, 200, 5000, 64,
                    5e-4);
        }

        Plan {
            if (vaeCrop < 8 || vaeCrop > Renderer.SIZE || vaeCrop % 4 != 0) {
                throw new IllegalArgumentException("the VAE's crops must be 8 to " + Renderer.SIZE
                        + " px and a multiple of its downscale 4, got " + vaeCrop);
            }
            if (images < 1 || vaeSteps < 1 || vaeBatch < 1 || steps < 1 || batch < 1 || checkpointEvery < 1
                    || scorerSteps < 1 || scorerBatch < 2 || !(vaeLr > 0) || !(lr > 0) || !(scorerLr > 0)
                    || !(klWeight >= 0) || !(snrGamma >= 0)) {
                throw new IllegalArgumentException("world training needs positive counts and rates, got " + this);
            }
        }
    }

    private final Path out;
    private final Plan plan;
    private final Path tokenizer;
    private final ProgressListener progress;
    private final BooleanSupplier cancelled;

    /**
     * @param tokenizer a CLIP tokenizer folder (vocab.json, merges.txt): the world model speaks CLIP's vocabulary
     */
    WorldTraining(Path out, Plan plan, Path tokenizer, ProgressListener progress, BooleanSupplier cancelled) {
        this.out = out;
        this.plan = plan;
        this.tokenizer = tokenizer;
        this.progress = progress;
        this.cancelled = cancelled;
    }

    Path model() {
        return out.resolve("model");
    }

    /** The world scorer: a CLIPModel folder. */
    Path scorer() {
        return out.resolve("scorer");
    }

    /**
     * Runs (or continues) every stage; returns the final model folder (the scorer is beside it), or null if cancelled
     * (resume by rerunning).
     */
    Path run() {
        if (!Files.isRegularFile(model().resolve("model_index.json"))) {
            Path init = initModel();
            Path base = trainVae(init);
            if (base == null) {
                return null;
            }
            Path trained = trainDiffusion(base);
            if (trained == null) {
                return null;
            }
            halfPrecision(trained);
        }
        return trainScorer() == null ? null : model();
    }

    /** {@code init/}: configs, tokenizer and seeded random weights in diffusers layout. */
    Path initModel() {
        Path init = out.resolve("init");
        if (Files.isRegularFile(init.resolve("model_index.json"))) {
            return init;
        }
        Path tmp = out.resolve(".init.tmp");
        try {
            FileTrees.delete(tmp);
            for (String file : CONFIG_FILES) {
                Path target = tmp.resolve(file);
                Files.createDirectories(target.getParent());
                try (InputStream in = WorldTraining.class.getResourceAsStream(CONFIGS + file)) {
                    Files.copy(in, target);
                }
            }
            Files.createDirectories(tmp.resolve("tokenizer"));
            for (String file : TOKENIZER_FILES) {
                Files.copy(tokenizer.resolve(file), tmp.resolve("tokenizer").resolve(file));
            }
            ModelConfigs configs = ModelConfigs.fromFolder(tmp);
            Map<String, String> meta = Map.of("format", "pt", "booth_world_seed", String.valueOf(plan.seed()));
            try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
                StateDict w = StateDict.random(m.newSubManager(), DataType.FLOAT32, plan.seed());
                try (CLIPTextModel text = new CLIPTextModel(configs.textEncoder(), w)) {
                    SafeTensors.write(tmp.resolve("text_encoder/model.safetensors"), text.parameters(), meta);
                }
                w = StateDict.random(m.newSubManager(), DataType.FLOAT32, plan.seed() + 1);
                try (UNet2DConditionModel unet = new UNet2DConditionModel(configs.unet(), w)) {
                    SafeTensors.write(tmp.resolve("unet/diffusion_pytorch_model.safetensors"), unet.parameters(), meta);
                }
                w = StateDict.random(m.newSubManager(), DataType.FLOAT32, plan.seed() + 2);
                try (AutoencoderKL vae = new AutoencoderKL(configs.vae(), w)) {
                    SafeTensors.write(tmp.resolve("vae/diffusion_pytorch_model.safetensors"), vae.parameters(), meta);
                }
            }
            move(tmp, init);
            return init;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the world model's initial weights to " + init, e);
        }
    }

    /** {@code vae/}: the autoencoder trained on world scenes; then {@code base/}. Null if cancelled. */
    Path trainVae(Path init) {
        Path base = out.resolve("base");
        if (Files.isRegularFile(base.resolve("model_index.json"))) {
            return base;
        }
        Path checkpoint = out.resolve("vae").resolve("checkpoint");
        VaeTrainer.Images images = new SceneCrops(plan.seed(), plan.images(), plan.vaeCrop());
        try (StableDiffusionModel initial = DiffusersFolderLoader.load(init, FLOAT32);
             VaeTrainer trainer = VaeTrainer.isCheckpoint(checkpoint)
                     ? VaeTrainer.resume(initial.vae(), images, checkpoint, plan.vaeSteps())
                     : VaeTrainer.start(initial.vae(), images, new VaeTrainer.Settings(plan.vaeSteps(),
                             plan.vaeBatch(), plan.vaeLr(), "cosine", Math.min(100, plan.vaeSteps() / 10),
                             plan.klWeight(), 1.0, plan.seed()))) {
            if (!drive(trainer::stepsDone, trainer.settings().steps(), () -> {
                VaeTrainer.StepReport r = trainer.trainStep();
                return new StepProgress(r.step(), 0, r.loss(), r.reconstruction(), r.kl(), r.lr(), 0, 0);
            }, trainer::checkpoint, checkpoint)) {
                return null;
            }
            double scaling = 1 / trainer.latentStd(Math.min(plan.images(), 500));
            writeBase(init, base, trainer.trained(), scaling);
            return base;
        }
    }

    /**
     * Steps a trainer to {@code total}, reporting each step (its loss and two figures of the trainer's) with rate and
     * ETA, writing {@code checkpoint} every {@link Plan#checkpointEvery} steps; false when cancelled, after a
     * checkpoint to resume from.
     */
    private boolean drive(IntSupplier done, int total, Supplier<StepProgress> step, Consumer<Path> save,
                          Path checkpoint) {
        int first = done.getAsInt();
        long t0 = System.nanoTime();
        while (done.getAsInt() < total) {
            if (cancelled.getAsBoolean()) {
                save.accept(checkpoint);
                progress.checkpoint(done.getAsInt(), checkpoint);
                return false;
            }
            StepProgress p = step.get();
            double rate = (p.step() - first) / ((System.nanoTime() - t0) / 1e9);
            progress.step(new StepProgress(p.step(), total, p.loss(), p.lossInstance(), p.lossPrior(), p.lr(), rate,
                    (total - p.step()) / rate));
            if (p.step() % plan.checkpointEvery() == 0 && p.step() < total) {
                save.accept(checkpoint);
            }
        }
        return true;
    }

    /** init's configs, tokenizer, text encoder and UNet, and the trained VAE with its latents' scaling factor. */
    private void writeBase(Path init, Path base, AutoencoderKL vae, double scaling) {
        Path tmp = out.resolve(".base.tmp");
        try {
            copyTree(init, tmp, p -> !p.startsWith(init.resolve("vae")));
            Files.createDirectories(tmp.resolve("vae"));
            ObjectNode config = (ObjectNode) JSON.readTree(init.resolve("vae/config.json").toFile());
            config.put("scaling_factor", scaling);
            JSON.writeValue(tmp.resolve("vae/config.json").toFile(), config);
            SafeTensors.write(tmp.resolve("vae/diffusion_pytorch_model.safetensors"), vae.parameters(),
                    Map.of("format", "pt"));
            move(tmp, base);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + base, e);
        }
    }

    /** {@code diffusion/}: UNet and text encoder trained together on the scenes; returns its model folder. */
    Path trainDiffusion(Path base) {
        Path dir = out.resolve("diffusion");
        Path trained = dir.resolve("model");
        if (Files.isRegularFile(trained.resolve("model_index.json"))) {
            return trained;
        }
        TrainingConfig config = TrainingConfig.builder().instancePrompt("a photo").mode("full")
                .priorPreservation(false).trainTextEncoder(true).lrUnet(plan.lr()).lrTextEncoder(plan.lr())
                .lrSchedule("cosine").warmupSteps(Math.min(200, plan.steps() / 10)).maxSteps(plan.steps())
                .batchSize(plan.batch()).resolution(64).randomFlip(false).noiseOffset(0.1).snrGamma(plan.snrGamma()).seed(plan.seed())
                .checkpointEvery(plan.checkpointEvery()).checkpointsToKeep(1).datasetId("booth-world").build();
        List<Path> checkpoints = DreamBoothTrainer.checkpoints(dir);
        Path latest = checkpoints.isEmpty() ? null : checkpoints.get(checkpoints.size() - 1);
        try (StableDiffusionModel model = DiffusersFolderLoader.load(base, FLOAT32)) {
            CLIPTokenizer tok = CLIPTokenizer.fromFolder(base.resolve("tokenizer"));
            SchedulerConfig schedule = SchedulerConfig.fromFile(base.resolve("scheduler/scheduler_config.json"));
            DreamBoothTrainer trainer = latest != null
                    ? DreamBoothTrainer.resume(model, tok, schedule, latest, config)
                    : DreamBoothTrainer.start(model, tok, schedule,
                            LatentCache.encode(model, dataset(), 64, false, progress), config);
            try (trainer) {
                trainer.releaseBase();   // loaded for this stage alone
                TrainingResult result = trainer.run(dir, progress, null, cancelled);
                return result.cancelled() ? null : result.modelFolder();
            }
        }
    }

    /**
     * {@code scorer/}: a small CLIPModel (transformers layout, the world's image size) trained contrastively on the
     * scenes and their captions, held-out pairs included, with hard negatives ({@link ScenePairs}) — the world's CLIP
     * for CLIP-I / CLIP-T and attribute accuracy.
     */
    Path trainScorer() {
        Path done = scorer();
        if (Files.isRegularFile(done.resolve("model.safetensors"))) {
            return done;
        }
        Path init = out.resolve("scorer-init");
        if (!Files.isRegularFile(init.resolve("model.safetensors"))) {
            writeScorerInit(init);
        }
        Path checkpoint = out.resolve("scorer-run").resolve("checkpoint");
        CLIPTokenizer tok = CLIPTokenizer.fromFolder(init);
        EvalImageProcessor processor = EvalImageProcessor.read(init.resolve("preprocessor_config.json"));
        ContrastiveTrainer.Pairs pairs = new ScenePairs(plan.seed(), ScenePairs.SCENES);
        try (CLIPModel initial = TransformersFolderLoader.clip(init, FLOAT32);
             ContrastiveTrainer trainer = ContrastiveTrainer.isCheckpoint(checkpoint)
                     ? ContrastiveTrainer.resume(initial, tok, processor, pairs, checkpoint, plan.scorerSteps())
                     : ContrastiveTrainer.start(initial, tok, processor, pairs, new ContrastiveTrainer.Settings(
                             plan.scorerSteps(), plan.scorerBatch(), plan.scorerLr(), "cosine",
                             Math.min(200, plan.scorerSteps() / 10), 0.1, 1.0, plan.seed()))) {
            if (!drive(trainer::stepsDone, trainer.settings().steps(), () -> {
                ContrastiveTrainer.StepReport r = trainer.trainStep();
                return new StepProgress(r.step(), 0, r.loss(), r.accuracy(), r.logitScale(), r.lr(), 0, 0);
            }, trainer::checkpoint, checkpoint)) {
                return null;
            }
            Path tmp = out.resolve(".scorer.tmp");
            copyTree(init, tmp, p -> !p.getFileName().toString().equals("model.safetensors"));
            SafeTensors.write(tmp.resolve("model.safetensors"), trainer.weights(), Map.of("format", "pt"));
            move(tmp, done);
            return done;
        }
    }

    private void writeScorerInit(Path init) {
        Path tmp = out.resolve(".scorer-init.tmp");
        try {
            FileTrees.delete(tmp);
            Files.createDirectories(tmp);
            for (String file : List.of("config.json", "preprocessor_config.json")) {
                try (InputStream in = WorldTraining.class.getResourceAsStream(SCORER + file)) {
                    Files.copy(in, tmp.resolve(file));
                }
            }
            for (String file : TOKENIZER_FILES) {
                Files.copy(tokenizer.resolve(file), tmp.resolve(file));
            }
            CLIPConfig config = CLIPConfig.read(tmp.resolve("config.json"));
            try (NDManager m = NDManager.newBaseManager(Device.cpu());
                 CLIPModel clip = new CLIPModel(config, StateDict.random(m.newSubManager(), DataType.FLOAT32,
                         plan.seed() + 3))) {
                Map<String, NDArray> weights = new LinkedHashMap<>(clip.parameters());
                weights.put("logit_scale", m.full(new Shape(), ContrastiveTrainer.LOGIT_SCALE_INIT, DataType.FLOAT32));
                SafeTensors.write(tmp.resolve("model.safetensors"), weights, Map.of("format", "pt"));
            }
            move(tmp, init);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the scorer's initial weights to " + init, e);
        }
    }

    /** The scenes with their captions, then every tenth scene again with the empty caption. */
    DreamBoothDataset dataset() {
        List<DreamBoothDataset.Example> examples = new ArrayList<>();
        for (int i = 0; i < plan.images(); i++) {
            int index = i;
            examples.add(new DreamBoothDataset.Example("scene-" + i, () -> scene(plan.seed(), index),
                    World.base(plan.seed(), Split.TRAIN, i).caption()));
        }
        for (int i = 0; i < plan.images(); i += 10) {
            int index = i;
            examples.add(new DreamBoothDataset.Example("unconditional-" + i, () -> scene(plan.seed(), index), ""));
        }
        return new DreamBoothDataset(examples, List.of());
    }

    private static java.awt.image.BufferedImage scene(long seed, int index) {
        return Renderer.render(World.base(seed, Split.TRAIN, index).scene());
    }

    /** {@code model/}: the trained model loaded as float16 and written (half the bytes; the VAE stays float32). */
    private Path halfPrecision(Path trained) {
        Path tmp = out.resolve(".model.tmp");
        FileTrees.delete(tmp);
        try (StableDiffusionModel half = DiffusersFolderLoader.load(trained,
                new EngineOptions(Device.cpu(), DataType.FLOAT16))) {
            DiffusersExport.write(half, tmp, Map.of("format", "pt", "booth_world_seed", String.valueOf(plan.seed())));
        }
        move(tmp, model());
        return model();
    }

    /** A fresh copy of {@code from}'s folders and the files {@code take} accepts. */
    private static void copyTree(Path from, Path to, Predicate<Path> take) {
        FileTrees.delete(to);
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (take.test(p)) {
                    Files.copy(p, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + from + " to " + to, e);
        }
    }

    private static void move(Path from, Path to) {
        try {
            FileTrees.delete(to);
            Files.createDirectories(to.getParent());
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move " + from + " to " + to, e);
        }
    }

    /** The scorer's scenes and captions, rendered on demand, with hard negatives. */
    record ScenePairs(long seed, int size) implements ContrastiveTrainer.Pairs {
        /**
         * The world renders any number of scenes, so the scorer sees each at most once in the shipped plan (up to
         * 6000 steps × 64): on 10,000 scenes it learnt them by heart (loss 0.3) and told shapes of new ones apart
         * half the time. Below {@link WorldReport}'s seen-pair scenes (from 1,000,000).
         */
        static final int SCENES = 400_000;
        static final int HELD_OUT_FROM = 2_000_000;

        @Override
        public RgbImage image(int index) {
            return RgbImage.of(Renderer.render(example(index).scene()));
        }

        @Override
        public String caption(int index) {
            return example(index).caption();
        }

        /**
         * Every seventh pair a held-out scene (from index {@link #HELD_OUT_FROM} on, beyond those the report
         * renders), about as often as held-out pairs would come if no pair were held out (one in eight for one
         * object, about one in four for two), the others the model's training scenes. The scorer is the instrument,
         * not the model under test: trained on training pairs only, it ranked a held-out pair's caption below seen
         * ones (shape accuracy on held-out scenes 0.04 once hard negatives named held-out pairs as wrong); one scene
         * in five made held-out pairs the most frequent and biased it towards them (0.85 on held-out, 0.54 on seen).
         */
        Example example(int index) {
            return index % 7 == 6 ? World.base(seed, Split.HELD_OUT, HELD_OUT_FROM + index)
                    : World.base(seed, Split.TRAIN, index);
        }

        /**
         * The caption with its first object's shape changed (three draws) and its colour changed (one): the choices
         * attribute accuracy asks of the scorer. Without them it learnt colours (in-batch captions mostly differ in
         * those) and told shapes apart 0.47 of the time on its own training scenes.
         */
        @Override
        public List<String> hardNegatives(int index, SplittableRandom rng) {
            String caption = caption(index);
            Attributes.Asked asked = Attributes.first(caption).orElseThrow();
            List<String> shapes = Attributes.withEachShape(caption);
            List<String> colours = Attributes.withEachColour(caption);
            return List.of(other(shapes, asked.shape().ordinal(), rng), other(shapes, asked.shape().ordinal(), rng),
                    other(shapes, asked.shape().ordinal(), rng), other(colours, asked.colour().ordinal(), rng));
        }

        private static String other(List<String> choices, int own, SplittableRandom rng) {
            int k = rng.nextInt(choices.size() - 1);
            return choices.get(k < own ? k : k + 1);
        }
    }

    /**
     * World training scenes as VAE inputs, rendered on demand (about a millisecond each), each cut to one
     * {@code side}² crop at a place fixed by the seed and index: the autoencoder is convolutional and sees mostly
     * local structure, so crops teach it as well at a fraction of the cost (32 px: a quarter), and it runs on whole
     * scenes after.
     */
    record SceneCrops(long seed, int size, int side) implements VaeTrainer.Images {
        @Override
        public float[] pixels(int index) {
            float[] full = TrainingImages.pixels(scene(seed, index), false);
            int w = Renderer.SIZE;
            if (side == w) {
                return full;
            }
            SplittableRandom at = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
            int x0 = at.nextInt(w - side + 1);
            int y0 = at.nextInt(w - side + 1);
            float[] crop = new float[3 * side * side];
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < side; y++) {
                    System.arraycopy(full, (c * w + y0 + y) * w + x0, crop, (c * side + y) * side, side);
                }
            }
            return crop;
        }
    }
}
