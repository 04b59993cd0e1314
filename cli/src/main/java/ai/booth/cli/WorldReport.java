package ai.booth.cli;

import ai.booth.diffusion.eval.EvalEncoders;
import ai.booth.diffusion.eval.RgbImage;
import ai.booth.diffusion.loader.DiffusersFolderLoader;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.pipeline.ContactSheet;
import ai.booth.diffusion.eval.Similarity;
import ai.booth.diffusion.pipeline.GenerationParams;
import ai.booth.diffusion.pipeline.LoraRequest;
import ai.booth.diffusion.pipeline.PipelineAssets;
import ai.booth.diffusion.pipeline.PipelineImages;
import ai.booth.diffusion.pipeline.PngFiles;
import ai.booth.diffusion.pipeline.TextToImagePipeline;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.train.DreamBoothJob;
import ai.booth.diffusion.train.ProgressListener;
import ai.booth.diffusion.train.TrainingConfig;
import ai.booth.diffusion.train.TrainingResult;
import ai.booth.world.Example;
import ai.booth.world.Renderer;
import ai.booth.world.Split;
import ai.booth.world.Subject;
import ai.booth.world.World;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the world model can do, measured with the world scorer: text-to-image attribute accuracy on prompts whose
 * shape–colour pairs training never showed (and, for reference, on seen pairs), next to the scorer's own accuracy on
 * real scenes of the same prompts (how far its judgement can be trusted). Writes {@code report.md} and a contact sheet
 * (each prompt's real scene beside its generation) and prints one line per figure. With subject training, also
 * DreamBooth on the world's subject: a LoRA with prior preservation, its subject fidelity and the class prior kept.
 */
final class WorldReport {

    /** The sampling the acceptance names: DPM++ 2M Karras, 20 steps, guidance 5. */
    record Sampling(String scheduler, int steps, double guidance) { }

    /** Scenes beyond any training run's images, so "seen pairs" prompts are new scenes too. */
    private static final int SEEN_OFFSET = 1_000_000;

    private final Path model;
    private final Path scorer;
    private final Sampling sampling;
    private final int count;
    private final long seed;

    WorldReport(Path model, Path scorer, Sampling sampling, int count, long seed) {
        this.model = model;
        this.scorer = scorer;
        this.sampling = sampling;
        this.count = count;
        this.seed = seed;
    }

    /** The figures of one report; {@code subject} is null when the report skips DreamBooth. */
    record Figures(AttributeAccuracy scorerOnScenes, AttributeAccuracy heldOut, AttributeAccuracy seen,
                   SubjectFigures subject) { }

    /**
     * DreamBooth on the world's subject: CLIP-I and the DINO slot (the scorer's image tower) of subject prompts'
     * generations against real photos the training never saw, without and with the LoRA; and the class prompt's
     * generations with the LoRA — still stars (shape accuracy), not the subject (CLIP-I near the base model's).
     */
    record SubjectFigures(double baseClipI, double loraClipI, double baseDino, double loraDino,
                          double classStarsBase, double classStarsLora, double classClipIBase,
                          double classClipILora) { }

    /** How the report trains the subject's LoRA. */
    record SubjectTraining(int photos, int steps, int rank, double lr, int classImages) { }

    Figures write(Path out, PrintWriter lines, SubjectTraining subjectTraining) {
        List<Example> heldOut = examples(Split.HELD_OUT, 0);
        List<Example> seen = examples(Split.TRAIN, SEEN_OFFSET);
        List<BufferedImage> heldOutImages;
        List<BufferedImage> seenImages;
        try (StableDiffusionModel sd = DiffusersFolderLoader.load(model, EngineOptions.defaults());
             TextToImagePipeline pipeline = TextToImagePipeline.of(sd)) {
            heldOutImages = generate(pipeline, heldOut);
            seenImages = generate(pipeline, seen);
        }
        SubjectRenders subject = subjectTraining == null ? null : subject(out, subjectTraining);
        Figures figures;
        try (EvalEncoders encoders = EvalEncoders.load(scorer, scorer, EngineOptions.defaults())) {
            figures = new Figures(
                    AttributeAccuracy.score(encoders, rgb(heldOut.stream().map(WorldReport::render).toList()),
                            captions(heldOut)),
                    AttributeAccuracy.score(encoders, rgb(heldOutImages), captions(heldOut)),
                    AttributeAccuracy.score(encoders, rgb(seenImages), captions(seen)),
                    subject == null ? null : subject.score(encoders));
        }
        lines.printf(Locale.ROOT, "scorer on real held-out scenes: %.3f%n", figures.scorerOnScenes().both());
        lines.printf(Locale.ROOT, "attribute accuracy: %.3f%n", figures.heldOut().both());
        lines.printf(Locale.ROOT, "attribute accuracy (seen pairs): %.3f%n", figures.seen().both());
        SubjectFigures f = figures.subject();
        if (f != null) {
            lines.printf(Locale.ROOT, "subject fidelity: base %.3f -> lora %.3f%n", f.baseClipI(), f.loraClipI());
            lines.printf(Locale.ROOT, "subject fidelity (DINO slot): base %.3f -> lora %.3f%n", f.baseDino(),
                    f.loraDino());
            lines.printf(Locale.ROOT, "class prior kept: stars %.3f -> %.3f, likeness to the subject %.3f -> %.3f%n",
                    f.classStarsBase(), f.classStarsLora(), f.classClipIBase(), f.classClipILora());
        }
        try {
            Files.createDirectories(out);
            List<BufferedImage> cells = new ArrayList<>();
            List<String> rows = new ArrayList<>();
            for (int i = 0; i < heldOut.size(); i++) {
                cells.add(render(heldOut.get(i)));
                cells.add(heldOutImages.get(i));
                rows.add((figures.heldOut().right().get(i) ? "ok: " : "miss: ") + heldOut.get(i).caption());
            }
            PngFiles.write(ContactSheet.compose(cells, List.of("scene", "generated"), rows).image(), Map.of(),
                    out.resolve("held-out.png"));
            Files.writeString(out.resolve("report.md"), markdown(figures));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report to " + out, e);
        }
        return figures;
    }

    private String markdown(Figures f) {
        StringBuilder md = new StringBuilder("# Booth world report\n\n");
        md.append(String.format(Locale.ROOT, "Model `%s`, scorer `%s`; %d prompts per row, %s, %d steps, guidance %s, "
                + "seeds %d…%d.%n%n", model, scorer, count, sampling.scheduler(), sampling.steps(),
                sampling.guidance(), seed, seed + count - 1));
        md.append("| images | shape | colour | both (attribute accuracy) |\n|---|---|---|---|\n");
        row(md, "real held-out scenes (the scorer's own accuracy)", f.scorerOnScenes());
        row(md, "generated, held-out pairs", f.heldOut());
        row(md, "generated, seen pairs", f.seen());
        md.append(String.format(Locale.ROOT, "%nChance: %.3f for both. Contact sheet: `held-out.png` (each prompt's "
                + "real scene, then its generation).%n", AttributeAccuracy.chance()));
        SubjectFigures s = f.subject();
        if (s != null) {
            md.append(String.format(Locale.ROOT, "%n## DreamBooth: %s%n%n| | base model | with the LoRA |%n|---|---|---|%n"
                    + "| subject prompts, CLIP-I to unseen photos | %.3f | %.3f |%n"
                    + "| subject prompts, DINO slot | %.3f | %.3f |%n"
                    + "| class prompt, share of stars | %.3f | %.3f |%n"
                    + "| class prompt, CLIP-I to the subject's photos | %.3f | %.3f |%n%n"
                    + "Contact sheet: `subject.png`.%n", Subject.ZIGZAG_STAR.name(), s.baseClipI(), s.loraClipI(),
                    s.baseDino(), s.loraDino(), s.classStarsBase(), s.classStarsLora(), s.classClipIBase(),
                    s.classClipILora()));
        }
        return md.toString();
    }

    private static void row(StringBuilder md, String what, AttributeAccuracy a) {
        md.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %.3f |%n", what, a.shape(), a.colour(), a.both()));
    }

    /** The subject's generations, without and with its LoRA, and the photos they are compared with. */
    private record SubjectRenders(List<BufferedImage> unseenPhotos, List<String> prompts, List<BufferedImage> base,
                                  List<BufferedImage> lora, List<BufferedImage> classBase,
                                  List<BufferedImage> classLora) {
        SubjectFigures score(EvalEncoders e) {
            List<RgbImage> real = rgb(unseenPhotos);
            float[][] realClip = e.clipImageEmbeds(real);
            float[][] realDino = e.dinoEmbeds(real);
            List<String> classPrompts = classLora.stream().map(x -> Subject.ZIGZAG_STAR.classPrompt()
                    .replace("a photo of a", "a photo of a " + Subject.ZIGZAG_STAR.colour().word())).toList();
            return new SubjectFigures(
                    Similarity.meanPairwise(e.clipImageEmbeds(rgb(base)), realClip),
                    Similarity.meanPairwise(e.clipImageEmbeds(rgb(lora)), realClip),
                    Similarity.meanPairwise(e.dinoEmbeds(rgb(base)), realDino),
                    Similarity.meanPairwise(e.dinoEmbeds(rgb(lora)), realDino),
                    AttributeAccuracy.score(e, rgb(classBase), classPrompts).shape(),
                    AttributeAccuracy.score(e, rgb(classLora), classPrompts).shape(),
                    Similarity.meanPairwise(e.clipImageEmbeds(rgb(classBase)), realClip),
                    Similarity.meanPairwise(e.clipImageEmbeds(rgb(classLora)), realClip));
        }
    }

    /** The places subject prompts put the subject in. */
    private static final List<String> PLACES = List.of("on the beach", "on grass", "in the sky", "on water",
            "on a striped background", "on a white background");

    /**
     * Trains a DreamBooth LoRA (prior preservation, class images from the model itself) on the subject's photos and
     * renders subject prompts and the class prompt without and with it.
     */
    private SubjectRenders subject(Path out, SubjectTraining t) {
        Subject subject = Subject.ZIGZAG_STAR;
        Path photos = World.writeSubject(out.resolve("subject"), subject, seed, t.photos()).getParent()
                .resolve("photos");
        List<BufferedImage> unseen = ai.booth.world.Photographer.shoot(subject, 8, seed + 1).stream()
                .map(WorldReport::render).toList();
        List<String> prompts = new ArrayList<>();
        for (String place : PLACES) {
            prompts.add(subject.instancePrompt() + " " + place);
            prompts.add(subject.instancePrompt() + " " + place);
        }
        List<String> classPrompts = java.util.Collections.nCopies(8, subject.classPrompt());
        try (StableDiffusionModel sd = DiffusersFolderLoader.load(model, EngineOptions.defaults());
             TextToImagePipeline pipeline = TextToImagePipeline.of(sd)) {
            List<BufferedImage> base = generate(pipeline, prompts, null);
            List<BufferedImage> classBase = generate(pipeline, classPrompts, null);
            TrainingConfig config = TrainingConfig.builder().instancePrompt(subject.instancePrompt())
                    .classPrompt(subject.classPrompt()).priorPreservation(true).rank(t.rank()).lrUnet(t.lr())
                    .lrTextEncoder(t.lr() / 2).maxSteps(t.steps()).resolution(64).seed(seed).build();
            PipelineImages classImages = new PipelineImages(pipeline, GenerationParams.builder("")
                    .steps(sampling.steps()).guidanceScale(sampling.guidance()).scheduler(sampling.scheduler())
                    .size(64, 64).build());
            PipelineAssets assets = PipelineAssets.of(sd);
            TrainingResult trained = new DreamBoothJob(photos, out.resolve("subject/class-images"), t.classImages(),
                    config, out.resolve("subject/lora"), null).run(new DreamBoothJob.Engine(sd, assets.tokenizer(),
                    assets.schedulerConfig(), classImages, null, false), ProgressListener.NONE, () -> false);
            LoraRequest lora = new LoraRequest(trained.peftFile(), 1f, 1f);
            List<BufferedImage> withLora = generate(pipeline, prompts, lora);
            List<BufferedImage> classLora = generate(pipeline, classPrompts, lora);
            List<BufferedImage> cells = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                cells.add(base.get(i));
                cells.add(withLora.get(i));
            }
            PngFiles.write(ContactSheet.compose(cells, List.of("base", "LoRA"), prompts).image(), Map.of(),
                    out.resolve("subject.png"));
            return new SubjectRenders(unseen, prompts, base, withLora, classBase, classLora);
        }
    }

    private List<Example> examples(Split split, int offset) {
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(World.base(seed, split, offset + i));
        }
        return out;
    }

    private List<BufferedImage> generate(TextToImagePipeline pipeline, List<Example> examples) {
        return generate(pipeline, captions(examples), null);
    }

    /** Prompt i with seed + i; with the LoRA if one is given. */
    private List<BufferedImage> generate(TextToImagePipeline pipeline, List<String> prompts, LoraRequest lora) {
        List<BufferedImage> out = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            out.add(pipeline.generate(GenerationParams.builder(prompts.get(i)).steps(sampling.steps())
                    .guidanceScale(sampling.guidance()).scheduler(sampling.scheduler()).seed(seed + i).size(64, 64)
                    .loras(lora == null ? List.of() : List.of(lora)).build()).images().get(0).toImage());
        }
        return out;
    }

    private static BufferedImage render(Example e) {
        return Renderer.render(e.scene());
    }

    private static List<RgbImage> rgb(List<BufferedImage> images) {
        return images.stream().map(RgbImage::of).toList();
    }

    private static List<String> captions(List<Example> examples) {
        return examples.stream().map(Example::caption).toList();
    }
}
