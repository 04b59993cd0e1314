package ai.booth.cli;

import ai.booth.diffusion.eval.EvalEncoders;
import ai.booth.diffusion.eval.RgbImage;
import ai.booth.diffusion.eval.Similarity;
import ai.booth.diffusion.loader.DiffusersFolderLoader;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.pipeline.ContactSheet;
import ai.booth.diffusion.pipeline.GenerationParams;
import ai.booth.diffusion.pipeline.LoraRequest;
import ai.booth.diffusion.pipeline.PipelineAssets;
import ai.booth.diffusion.pipeline.PipelineImages;
import ai.booth.diffusion.pipeline.PngFiles;
import ai.booth.diffusion.pipeline.TextToImagePipeline;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.train.DreamBoothDataset;
import ai.booth.diffusion.train.DreamBoothJob;
import ai.booth.diffusion.train.ProgressListener;
import ai.booth.diffusion.train.TrainingConfig;
import ai.booth.world.Photographer;
import ai.booth.world.Renderer;
import ai.booth.world.Subject;
import ai.booth.world.World;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * DreamBooth on the world's subject, measured as the paper measures it: a LoRA with prior preservation on a few
 * photos, against the base model, the same LoRA without prior preservation, and a LoRA trained the same way on the
 * model's own stars instead of the subject's photos; then a full fine-tune, and the main LoRA's rank, scales and
 * guidance swept. Each row
 * scores subject fidelity (CLIP-I and the DINO slot of subject prompts' generations against photos training never
 * saw) and the class prior (the class prompt's generations: share of stars, likeness to the subject).
 */
final class SubjectStudy {

    /**
     * How the LoRAs are trained (the text encoder at half {@code lr}); {@code sweeps} false stops after the four main
     * rows.
     */
    record Training(int photos, int steps, int rank, double lr, int classImages, boolean sweeps) { }

    // The demo's recipe, which the web client reads from demo/zigzag-star/recipe.json (DemoPhotosTest: they agree).
    static final int DEMO_PHOTOS = 5;
    static final int DEMO_STEPS = 400;
    static final int DEMO_RANK = 4;
    static final double DEMO_LR = 5e-4;
    static final int DEMO_CLASS_IMAGES = 50;

    /** One variant's figures. */
    record Scores(double clipI, double dino, double classStars, double classLikeness) { }

    record Row(String variant, Scores scores) { }

    /** The rows every report has, by name (the sweeps follow them), and whose study they are. */
    record Result(Subject subject, Scores base, Scores lora, Scores noPrior, Scores ownStars, List<Row> rows) { }

    /** The places subject prompts put the subject in, each twice (two seeds). */
    private static final List<String> PLACES = List.of("on the beach", "on grass", "in the sky", "on water",
            "on a striped background", "on a white background");
    private static final int CLASS_PROMPTS = 8;
    private static final int UNSEEN_PHOTOS = 8;

    private final Subject subject = Subject.ZIGZAG_STAR;
    private final WorldReport.Sampling sampling;
    private final long seed;
    private final Training training;

    SubjectStudy(WorldReport.Sampling sampling, long seed, Training training) {
        this.sampling = sampling;
        this.seed = seed;
        this.training = training;
    }

    Result run(StableDiffusionModel sd, TextToImagePipeline pipeline, EvalEncoders scorer, Path out) {
        Path dir = out.resolve("subject");
        Path photos = World.writeSubject(dir, subject, seed, training.photos()).getParent().resolve("photos");
        Path classDir = dir.resolve("class-images");
        List<RgbImage> unseen = Photographer.shoot(subject, UNSEEN_PHOTOS, seed + 1).stream()
                .map(e -> RgbImage.of(Renderer.render(e.scene()))).toList();
        Judge judge = new Judge(scorer, unseen);
        List<String> prompts = new ArrayList<>();
        for (String place : PLACES) {
            prompts.add(subject.instancePrompt() + " " + place);
            prompts.add(subject.instancePrompt() + " " + place);
        }
        List<String> classPrompts = Collections.nCopies(CLASS_PROMPTS, subject.classPrompt());
        PipelineImages classImages = new PipelineImages(pipeline, GenerationParams.builder("")
                .steps(sampling.steps()).guidanceScale(sampling.guidance()).scheduler(sampling.scheduler())
                .size(Renderer.SIZE, Renderer.SIZE).build());
        PipelineAssets assets = PipelineAssets.of(sd);
        DreamBoothJob.Engine engine = new DreamBoothJob.Engine(sd, assets.tokenizer(), assets.schedulerConfig(),
                classImages, null, false);

        Renders base = render(pipeline, prompts, classPrompts, null, sampling);
        LoraRequest main = train(engine, photos, classDir, dir.resolve("lora"), training.rank(), true);
        Renders withLora = render(pipeline, prompts, classPrompts, main, sampling);
        LoraRequest noPrior = train(engine, photos, classDir, dir.resolve("lora-no-prior"), training.rank(), false);
        Renders withoutPrior = render(pipeline, prompts, classPrompts, noPrior, sampling);
        LoraRequest ownStars = train(engine, ownStars(classDir, dir.resolve("own-stars")), classDir,
                dir.resolve("lora-own-stars"), training.rank(), true);
        Renders fromOwnStars = render(pipeline, prompts, classPrompts, ownStars, sampling);

        List<Row> rows = new ArrayList<>();
        rows.add(new Row("base model", judge.score(base)));
        rows.add(new Row("LoRA rank " + training.rank() + ", prior preservation", judge.score(withLora)));
        rows.add(new Row("the same without prior preservation", judge.score(withoutPrior)));
        rows.add(new Row("the same on the model's own stars, not the subject's photos", judge.score(fromOwnStars)));
        sheet(out.resolve("subject.png"), prompts, classPrompts, List.of(base, withLora, withoutPrior, fromOwnStars));
        if (training.sweeps()) {
            rows.add(new Row("full fine-tune, prior preservation", fullFineTune(engine, photos, classDir,
                    dir.resolve("full"), judge, prompts, classPrompts)));
        }
        for (int rank : training.sweeps() ? List.of(1, 16) : List.<Integer>of()) {
            if (rank != training.rank()) {
                LoraRequest r = train(engine, photos, classDir, dir.resolve("lora-rank-" + rank), rank, true);
                rows.add(new Row("rank " + rank, judge.score(render(pipeline, prompts, classPrompts, r, sampling))));
            }
        }
        for (float[] scales : training.sweeps() ? new float[][] {{0f, 1f}, {0.5f, 1f}, {1f, 0f}} : new float[0][]) {
            LoraRequest scaled = new LoraRequest(main.file(), scales[0], scales[1]);
            rows.add(new Row(String.format(Locale.ROOT, "UNet scale %s, text-encoder scale %s", scales[0], scales[1]),
                    judge.score(render(pipeline, prompts, classPrompts, scaled, sampling))));
        }
        for (double g : training.sweeps() ? List.of(2.0, 9.0) : List.<Double>of()) {
            if (g != sampling.guidance()) {
                rows.add(new Row("guidance " + g, judge.score(render(pipeline, prompts, classPrompts, main,
                        sampling.withGuidance(g)))));
            }
        }
        return new Result(subject, rows.get(0).scores(), rows.get(1).scores(), rows.get(2).scores(), rows.get(3).scores(),
                rows);
    }

    /** A DreamBooth LoRA on {@code photos} (class images from the model itself when {@code prior}). */
    private LoraRequest train(DreamBoothJob.Engine engine, Path photos, Path classDir, Path out, int rank,
                              boolean prior) {
        TrainingConfig config = config(prior).rank(rank).build();
        return new LoraRequest(new DreamBoothJob(photos, classDir, training.classImages(), config, out, null)
                .run(engine, ProgressListener.NONE, () -> false).peftFile(), 1f, 1f);
    }

    private TrainingConfig.Builder config(boolean prior) {
        return TrainingConfig.builder().instancePrompt(subject.instancePrompt()).classPrompt(subject.classPrompt())
                .priorPreservation(prior).lrUnet(training.lr()).lrTextEncoder(training.lr() / 2)
                .maxSteps(training.steps()).resolution(Renderer.SIZE).seed(seed);
    }

    /**
     * A full fine-tune with prior preservation (every UNet weight, a tenth of the LoRA's learning rate, as full
     * fine-tunes take), scored on its own model.
     */
    private Scores fullFineTune(DreamBoothJob.Engine engine, Path photos, Path classDir, Path out, Judge judge,
                                List<String> prompts, List<String> classPrompts) {
        TrainingConfig config = config(true).mode("full").lrUnet(training.lr() / 10).lrTextEncoder(training.lr() / 20)
                .build();
        Path folder = new DreamBoothJob(photos, classDir, training.classImages(), config, out, null)
                .run(engine, ProgressListener.NONE, () -> false).modelFolder();
        try (StableDiffusionModel tuned = DiffusersFolderLoader.load(folder, EngineOptions.defaults());
             TextToImagePipeline pipeline = TextToImagePipeline.of(tuned)) {
            return judge.score(render(pipeline, prompts, classPrompts, null, sampling));
        }
    }

    /** As many of the model's own class images as there are subject photos, copied to {@code dir}. */
    private Path ownStars(Path classDir, Path dir) {
        try (Stream<Path> files = Files.list(classDir)) {
            List<Path> stars = files.filter(DreamBoothDataset::isImage).sorted().limit(training.photos()).toList();
            Files.createDirectories(dir);
            for (Path star : stars) {
                Files.copy(star, dir.resolve(star.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy class images to " + dir, e);
        }
    }

    /** Subject prompts' and class prompts' generations of one variant. */
    private record Renders(List<BufferedImage> subject, List<BufferedImage> classPrompt) { }

    private Renders render(TextToImagePipeline pipeline, List<String> prompts, List<String> classPrompts,
                           LoraRequest lora, WorldReport.Sampling s) {
        return new Renders(s.generate(pipeline, prompts, seed, lora), s.generate(pipeline, classPrompts, seed, lora));
    }

    /** Scores a variant's renders against the unseen photos. */
    private final class Judge {
        private final EvalEncoders scorer;
        private final float[][] realClip;
        private final float[][] realDino;
        private final List<String> classCaptions;

        Judge(EvalEncoders scorer, List<RgbImage> unseen) {
            this.scorer = scorer;
            this.realClip = scorer.clipImageEmbeds(unseen);
            this.realDino = scorer.dinoEmbeds(unseen);
            // the subject's colour named, so "is it a star?" is asked the scorer's way (shape among colour-fixed captions)
            this.classCaptions = Collections.nCopies(CLASS_PROMPTS, subject.classPrompt()
                    .replace("a photo of a", "a photo of a " + subject.colour().word()));
        }

        Scores score(Renders r) {
            List<RgbImage> s = WorldReport.rgb(r.subject());
            List<RgbImage> c = WorldReport.rgb(r.classPrompt());
            return new Scores(Similarity.meanPairwise(scorer.clipImageEmbeds(s), realClip),
                    Similarity.meanPairwise(scorer.dinoEmbeds(s), realDino),
                    AttributeAccuracy.score(scorer, c, classCaptions).shape(),
                    Similarity.meanPairwise(scorer.clipImageEmbeds(c), realClip));
        }
    }

    /** One row per prompt (subject prompts, then the class prompt's), one column per variant. */
    private static void sheet(Path file, List<String> prompts, List<String> classPrompts, List<Renders> variants) {
        List<BufferedImage> cells = new ArrayList<>();
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            for (Renders v : variants) {
                cells.add(v.subject().get(i));
            }
            rows.add(prompts.get(i));
        }
        for (int i = 0; i < classPrompts.size(); i++) {
            for (Renders v : variants) {
                cells.add(v.classPrompt().get(i));
            }
            rows.add(classPrompts.get(i));
        }
        PngFiles.write(ContactSheet.compose(cells, List.of("base", "LoRA", "no prior", "own stars"), rows).image(),
                Map.of(), file);
    }

    /** The study's markdown section. */
    static String markdown(Result r) {
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT, "%n## DreamBooth: %s%n%n"
                + "| variant | subject CLIP-I | subject DINO slot | class prompt: stars | class prompt: likeness to "
                + "the subject |%n|---|---|---|---|---|%n", r.subject().name()));
        for (Row row : r.rows()) {
            Scores s = row.scores();
            md.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %.3f | %.3f |%n", row.variant(), s.clipI(),
                    s.dino(), s.classStars(), s.classLikeness()));
        }
        md.append(String.format(Locale.ROOT, "%nExpected (DreamBooth, Ruiz et al. 2023): subject fidelity of the LoRA "
                + "above the base model's and above the LoRA on the model's own stars; the class prompt still gives "
                + "stars with prior preservation, and without it drifts towards the subject (likeness up); fidelity "
                + "grows with the UNet scale. Contact sheet: `subject.png` (base, LoRA, no prior, own stars).%n"));
        return md.toString();
    }
}
