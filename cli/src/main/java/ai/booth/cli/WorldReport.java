package ai.booth.cli;

import ai.booth.diffusion.eval.EvalEncoders;
import ai.booth.diffusion.eval.RgbImage;
import ai.booth.diffusion.loader.DiffusersFolderLoader;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.pipeline.ContactSheet;
import ai.booth.diffusion.pipeline.GenerationParams;
import ai.booth.diffusion.pipeline.LoraRequest;
import ai.booth.diffusion.pipeline.PngFiles;
import ai.booth.diffusion.pipeline.TextToImagePipeline;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.world.Example;
import ai.booth.world.Renderer;
import ai.booth.world.Split;
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

    /**
     * How world prompts are rendered; the acceptance names DPM++ 2M Karras, 20 steps, guidance 5. DeepCache
     * above 1 or token merging above 0 measure what the accelerations cost ({@link GenerationParams#deepCache},
     * {@link GenerationParams#tokenMerging}).
     */
    record Sampling(String scheduler, int steps, double guidance, int deepCache, double tokenMerging) {
        Sampling(String scheduler, int steps, double guidance) {
            this(scheduler, steps, guidance, 1, 0);
        }

        Sampling withGuidance(double g) {
            return new Sampling(scheduler, steps, g, deepCache, tokenMerging);
        }

        /** Prompt i with seed + i, at the world's size; with the LoRA if one is given. */
        List<BufferedImage> generate(TextToImagePipeline pipeline, List<String> prompts, long seed, LoraRequest lora) {
            List<BufferedImage> out = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                out.add(pipeline.generate(GenerationParams.builder(prompts.get(i)).steps(steps).guidanceScale(guidance)
                        .scheduler(scheduler).seed(seed + i).size(Renderer.SIZE, Renderer.SIZE).deepCache(deepCache)
                        .tokenMerging(tokenMerging)
                        .loras(lora == null ? List.of() : List.of(lora)).build()).images().get(0).toImage());
            }
            return out;
        }
    }

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
    record Figures(AttributeAccuracy scorerOnScenes, AttributeAccuracy scorerOnSeenScenes, AttributeAccuracy heldOut,
                   AttributeAccuracy seen, SubjectStudy.Result subject) { }

    Figures write(Path out, PrintWriter lines, SubjectStudy.Training subjectTraining) {
        List<Example> heldOut = examples(Split.HELD_OUT, 0);
        List<Example> seen = examples(Split.TRAIN, SEEN_OFFSET);
        List<BufferedImage> heldOutImages;
        Figures figures;
        try (StableDiffusionModel sd = DiffusersFolderLoader.load(model, EngineOptions.defaults());
             TextToImagePipeline pipeline = TextToImagePipeline.of(sd);
             EvalEncoders encoders = EvalEncoders.load(scorer, scorer, EngineOptions.defaults())) {
            heldOutImages = sampling.generate(pipeline, captions(heldOut), seed, null);
            List<BufferedImage> seenImages = sampling.generate(pipeline, captions(seen), seed, null);
            figures = new Figures(
                    AttributeAccuracy.score(encoders, rgb(heldOut.stream().map(WorldReport::render).toList()),
                            captions(heldOut)),
                    AttributeAccuracy.score(encoders, rgb(seen.stream().map(WorldReport::render).toList()),
                            captions(seen)),
                    AttributeAccuracy.score(encoders, rgb(heldOutImages), captions(heldOut)),
                    AttributeAccuracy.score(encoders, rgb(seenImages), captions(seen)),
                    subjectTraining == null ? null
                            : new SubjectStudy(sampling, seed, subjectTraining).run(sd, pipeline, encoders, out));
        }
        lines.printf(Locale.ROOT, "scorer on real held-out scenes: %.3f (seen pairs: %.3f)%n",
                figures.scorerOnScenes().both(), figures.scorerOnSeenScenes().both());
        lines.printf(Locale.ROOT, "attribute accuracy: %.3f%n", figures.heldOut().both());
        lines.printf(Locale.ROOT, "attribute accuracy (seen pairs): %.3f%n", figures.seen().both());
        SubjectStudy.Result f = figures.subject();
        if (f != null) {
            lines.printf(Locale.ROOT, "subject fidelity: base %.3f -> lora %.3f (on the model's own stars: %.3f)%n",
                    f.base().clipI(), f.lora().clipI(), f.ownStars().clipI());
            lines.printf(Locale.ROOT, "subject fidelity (DINO slot): base %.3f -> lora %.3f (own stars: %.3f)%n",
                    f.base().dino(), f.lora().dino(), f.ownStars().dino());
            lines.printf(Locale.ROOT, "class prior kept: stars %.3f -> %.3f (without prior preservation %.3f), "
                    + "likeness to the subject %.3f -> %.3f (without %.3f)%n", f.base().classStars(),
                    f.lora().classStars(), f.noPrior().classStars(), f.base().classLikeness(),
                    f.lora().classLikeness(), f.noPrior().classLikeness());
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
        if (sampling.deepCache() > 1 || sampling.tokenMerging() > 0) {
            md.append(String.format(Locale.ROOT, "Rendered with DeepCache every %d steps, token merging %s.%n%n",
                    sampling.deepCache(), sampling.tokenMerging()));
        }
        md.append("| images | shape | colour | both (attribute accuracy) |\n|---|---|---|---|\n");
        row(md, "real held-out scenes (the scorer's own accuracy)", f.scorerOnScenes());
        row(md, "real seen-pair scenes (the scorer's own accuracy)", f.scorerOnSeenScenes());
        row(md, "generated, held-out pairs", f.heldOut());
        row(md, "generated, seen pairs", f.seen());
        md.append(String.format(Locale.ROOT, "%nChance: %.3f for both. Contact sheet: `held-out.png` (each prompt's "
                + "real scene, then its generation).%n", AttributeAccuracy.chance()));
        if (f.subject() != null) {
            md.append(SubjectStudy.markdown(f.subject()));
        }
        return md.toString();
    }

    private static void row(StringBuilder md, String what, AttributeAccuracy a) {
        md.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %.3f |%n", what, a.shape(), a.colour(), a.both()));
    }

    private List<Example> examples(Split split, int offset) {
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(World.base(seed, split, offset + i));
        }
        return out;
    }

    private static BufferedImage render(Example e) {
        return Renderer.render(e.scene());
    }

    static List<RgbImage> rgb(List<BufferedImage> images) {
        return images.stream().map(RgbImage::of).toList();
    }

    private static List<String> captions(List<Example> examples) {
        return examples.stream().map(Example::caption).toList();
    }
}
