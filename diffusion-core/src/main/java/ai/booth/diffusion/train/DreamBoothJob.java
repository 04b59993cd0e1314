package ai.booth.diffusion.train;

import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.scheduler.SchedulerConfig;
import ai.booth.diffusion.tokenizer.CLIPTokenizer;

import javax.imageio.ImageIO;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A whole DreamBooth job from folders to adapter files, as diffusers' script runs it: make up the class images the
 * class folder lacks (with the base model), encode every image once, train, and write the adapter in both layouts
 * with its metadata — or continue a job from one of its checkpoints. The CLI's {@code train} command and the trainer
 * service are thin wrappers around {@link #run}.
 *
 * @param instanceDir    the subject's photos ({@code <photo>.txt} captions optional)
 * @param classDir       class images for prior preservation; missing ones (up to {@code numClassImages}) are
 *                       generated into it; null without prior preservation
 * @param numClassImages how many class images the job uses (diffusers' {@code num_class_images}, default 100)
 * @param outputDir      adapter files, metadata, checkpoints, validation images and the latent cache go here
 * @param resumeFrom     a checkpoint directory to continue from, or null for a new job
 * @param latentCaches   a folder of latent caches shared by jobs on the same images (an experiment's variants): the
 *                       one named {@link #latentsKey} is read instead of encoding when it is there, and written after
 *                       encoding when it is not; null encodes for this job alone
 */
public record DreamBoothJob(Path instanceDir, Path classDir, int numClassImages, TrainingConfig config,
                            Path outputDir, Path resumeFrom, Path latentCaches) {

    /** A job whose latents are its own. */
    public DreamBoothJob(Path instanceDir, Path classDir, int numClassImages, TrainingConfig config, Path outputDir,
                         Path resumeFrom) {
        this(instanceDir, classDir, numClassImages, config, outputDir, resumeFrom, null);
    }

    /**
     * The name of this job's latent cache: the SHA-256 of all it is made from — the model (its content hash),
     * resolution, flips, prompts, and every instance and class file as they are now (class images made up first) —
     * so two jobs share a cache only when encoding would give both the same one.
     */
    public String latentsKey(String modelHash) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            boolean prior = config.priorPreservation() && classDir != null;
            sha.update(String.join("\n", "booth-latent-cache-1", modelHash, String.valueOf(config.resolution()),
                    String.valueOf(config.randomFlip()), config.instancePrompt(),
                    prior ? config.classPrompt() + "\n" + numClassImages : "").getBytes(StandardCharsets.UTF_8));
            for (Path dir : prior ? List.of(instanceDir, classDir) : List.of(instanceDir)) {
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                        sha.update(("\n" + (dir == instanceDir ? "instance/" : "class/") + file.getFileName() + "\n")
                                .getBytes(StandardCharsets.UTF_8));
                        sha.update(Files.readAllBytes(file));
                    }
                }
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the training images to name their latent cache", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The shared cache file of this job, or null when it encodes for itself alone. */
    public Path latentsFile(String modelHash) {
        return latentCaches == null ? null : latentCaches.resolve(latentsKey(modelHash) + ".safetensors");
    }

    public DreamBoothJob {
        if (config.priorPreservation() && classDir == null) {
            throw new IllegalArgumentException("prior preservation needs a class image folder (it may start empty)");
        }
        if (numClassImages < 1 && config.priorPreservation()) {
            throw new IllegalArgumentException("numClassImages must be >= 1, got " + numClassImages);
        }
    }

    /**
     * The engine pieces a job runs with; {@code classImages} and {@code validation} may be null. With
     * {@code modelForThisJob} the model was loaded for this job alone, and a full fine-tune frees its base networks
     * once it has trained copies ({@link DreamBoothTrainer#releaseBase}): the model cannot run anything afterwards.
     */
    public record Engine(StableDiffusionModel model, CLIPTokenizer tokenizer, SchedulerConfig schedulerConfig,
                         ClassImageGenerator classImages, ValidationRenderer validation, boolean modelForThisJob) { }

    /** Runs the job to its end (or to cancellation, which leaves a checkpoint to resume from). */
    public TrainingResult run(Engine engine, ProgressListener listener, BooleanSupplier cancelled) {
        StableDiffusionModel model = engine.model();
        DreamBoothTrainer trainer;
        if (resumeFrom != null) {
            trainer = DreamBoothTrainer.resume(model, engine.tokenizer(), engine.schedulerConfig(), resumeFrom, config);
        } else {
            if (config.priorPreservation()) {
                completeClassImages(engine.classImages(), listener);
            }
            DreamBoothDataset data = DreamBoothDataset.fromFolders(instanceDir, config.instancePrompt(),
                    config.priorPreservation() ? classDir : null, config.classPrompt());
            if (config.priorPreservation() && data.classes().size() > numClassImages) {
                data = new DreamBoothDataset(data.instances(), data.classes().subList(0, numClassImages));
            }
            LatentCache cache = latents(model, data, listener);
            trainer = DreamBoothTrainer.start(model, engine.tokenizer(), engine.schedulerConfig(), cache, config);
        }
        try (trainer) {
            if (engine.modelForThisJob()) {
                trainer.releaseBase();
            }
            return trainer.run(outputDir, listener, engine.validation(), cancelled);
        }
    }

    /** The shared latent cache when there is one, else the images encoded (and shared when asked to). */
    private LatentCache latents(StableDiffusionModel model, DreamBoothDataset data, ProgressListener listener) {
        Path shared = latentsFile(model.contentHash());
        if (shared != null && Files.isRegularFile(shared)) {
            return LatentCache.load(shared);
        }
        LatentCache cache = LatentCache.encode(model, data, config.resolution(), config.randomFlip(), listener);
        if (shared != null) {
            try {
                Files.createDirectories(latentCaches);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            cache.save(shared);
        }
        return cache;
    }

    /** Generates class images until the folder holds {@code numClassImages} (seeds follow the job's seed). */
    private void completeClassImages(ClassImageGenerator generator, ProgressListener listener) {
        try {
            Files.createDirectories(classDir);
            long have;
            try (Stream<Path> files = Files.list(classDir)) {
                have = files.filter(DreamBoothDataset::isImage).count();
            }
            if (have >= numClassImages) {
                return;
            }
            if (generator == null) {
                throw new IllegalArgumentException("class folder " + classDir + " holds " + have + " of "
                        + numClassImages + " class images and no generator was given to make the rest");
            }
            for (long i = have; i < numClassImages; i++) {
                long seed = config.seed() + i;
                Path file = classDir.resolve(String.format("class-%05d-%d.png", i, seed));
                ImageIO.write(generator.generate(config.classPrompt(), seed, config.resolution()), "png", file.toFile());
                listener.preparing("generating class images", (int) (i - have + 1), (int) (numClassImages - have));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write class images to " + classDir, e);
        }
    }
}
