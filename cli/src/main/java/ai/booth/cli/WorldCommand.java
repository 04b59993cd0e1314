package ai.booth.cli;

import ai.booth.world.Split;
import ai.booth.world.Subject;
import ai.booth.world.World;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.Locale;

/**
 * {@code booth world}: Booth's own small world of shapes (module {@code world}) as datasets: base scenes with
 * captions, a subject's instance photos for DreamBooth, and the world's base model trained from random weights.
 */
@Command(name = "world", mixinStandardHelpOptions = true,
        description = "Write the world's datasets (captioned base scenes, a subject's photos) or train its base model.",
        subcommands = {WorldCommand.Base.class, WorldCommand.SubjectPhotos.class, WorldCommand.Train.class,
                WorldCommand.Report.class})
final class WorldCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command: base, subject, train or report");
    }

    /** What both datasets take: the folder, the seed, the scale; and where to say what was written. */
    static final class Common {
        @Spec(Spec.Target.MIXEE)
        CommandSpec spec;

        @Parameters(paramLabel = "OUT", description = "Folder to write.")
        Path out;

        @Option(names = "--seed", defaultValue = "" + World.DEFAULT_SEED, paramLabel = "N",
                description = "Same seed, same bytes on every machine (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--scale", defaultValue = "1", paramLabel = "K",
                description = "Write each pixel as a KxK block (64K px a side); 4 makes photos a dataset upload "
                        + "takes (default: ${DEFAULT-VALUE}).")
        int scale;

        void wrote(String what) {
            spec.commandLine().getOut().println("wrote " + what);
        }
    }

    @Command(name = "base", mixinStandardHelpOptions = true,
            description = "Captioned 64x64 scenes: OUT/NNNNN.png and OUT/metadata.jsonl (imagefolder layout).")
    static final class Base implements Runnable {
        @Option(names = "--count", defaultValue = "1000", paramLabel = "N",
                description = "Scenes to write (default: ${DEFAULT-VALUE}).")
        int count;

        @Option(names = "--split", defaultValue = "train", paramLabel = "train|held_out",
                description = "held_out: only scenes with a shape-colour pair the train split never shows.")
        String split;

        @picocli.CommandLine.Mixin
        Common common = new Common();

        @Override
        public void run() {
            if (count < 1) {
                throw new IllegalArgumentException("--count must be at least 1, got " + count);
            }
            Split chosen = switch (split.toLowerCase(Locale.ROOT)) {
                case "train" -> Split.TRAIN;
                case "held_out", "held-out" -> Split.HELD_OUT;
                default -> throw new IllegalArgumentException("--split must be train or held_out, got " + split);
            };
            common.wrote(World.writeBase(common.out, common.seed, chosen, count, common.scale).toString());
        }
    }

    @Command(name = "subject", mixinStandardHelpOptions = true,
            description = "A subject's instance photos: OUT/photos/NN.png (what ./booth train --images takes), "
                    + "OUT/metadata.jsonl and OUT/subject.json (token, class, prompts).")
    static final class SubjectPhotos implements Runnable {
        @Option(names = "--name", defaultValue = "zigzag-star", paramLabel = "NAME",
                description = "The subject (default: ${DEFAULT-VALUE}).")
        String name;

        @Option(names = "--count", defaultValue = "8", paramLabel = "N",
                description = "Photos, 5-20 as DreamBooth uses (default: ${DEFAULT-VALUE}).")
        int count;

        @picocli.CommandLine.Mixin
        Common common = new Common();

        @Override
        public void run() {
            Subject subject = Subject.named(name);
            Path written = World.writeSubject(common.out, subject, common.seed, count, common.scale);
            common.wrote(written + "; train with --images " + common.out.resolve("photos")
                    + " --instance-prompt \"" + subject.instancePrompt() + "\" --class-prompt \""
                    + subject.classPrompt() + "\"");
        }
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Train the world's base model from random weights (VAE, then UNet and text encoder) and "
                    + "its scorer (a small CLIP), resumable: rerun the same command after a stop (Ctrl-C or "
                    + "SIGTERM writes a checkpoint).")
    static final class Train implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--out", defaultValue = "models/booth-world-run", paramLabel = "DIR",
                description = "Folder of the run's stages; the model lands in DIR/model (default: ${DEFAULT-VALUE}).")
        Path out;

        @Option(names = "--tokenizer", paramLabel = "DIR",
                description = "CLIP tokenizer folder (vocab.json, merges.txt) (default: the demo model's, the real "
                        + "CLIP vocabulary).")
        Path tokenizer;

        @Option(names = "--images", paramLabel = "N", description = "Training scenes (default: the shipped run's).")
        Integer images;

        @Option(names = "--vae-steps", paramLabel = "N", description = "VAE optimizer steps.")
        Integer vaeSteps;

        @Option(names = "--steps", paramLabel = "N", description = "UNet and text-encoder optimizer steps.")
        Integer steps;

        @Option(names = "--batch", paramLabel = "N", description = "UNet batch size.")
        Integer batch;

        @Option(names = "--scorer-steps", paramLabel = "N", description = "Optimizer steps of the world scorer.")
        Integer scorerSteps;

        @Option(names = "--checkpoint-every", paramLabel = "N", description = "Steps between checkpoints.")
        Integer checkpointEvery;

        @Option(names = "--seed", paramLabel = "N", description = "The run's one seed.")
        Long seed;

        @Override
        public Integer call() {
            WorldTraining.Plan d = WorldTraining.Plan.shipped();
            WorldTraining.Plan plan = new WorldTraining.Plan(seed != null ? seed : d.seed(),
                    images != null ? images : d.images(), vaeSteps != null ? vaeSteps : d.vaeSteps(), d.vaeBatch(),
                    d.vaeCrop(), d.vaeLr(), d.klWeight(), steps != null ? steps : d.steps(), batch != null ? batch : d.batch(),
                    d.lr(), d.snrGamma(), checkpointEvery != null ? checkpointEvery : d.checkpointEvery(),
                    scorerSteps != null ? scorerSteps : d.scorerSteps(), Math.min(d.scorerBatch(),
                            images != null ? images : d.images()), d.scorerLr());
            PrintWriter err = spec.commandLine().getErr();
            AtomicBoolean stop = new AtomicBoolean();
            // Ctrl-C in a terminal, TERM from kill or a scheduler (a background job ignores INT): checkpoint, stop.
            SignalHandler previousInt = Signal.handle(new Signal("INT"), s -> stop.set(true));
            SignalHandler previousTerm = Signal.handle(new Signal("TERM"), s -> stop.set(true));
            try {
                Path model = new WorldTraining(out, plan, tokenizer != null ? tokenizer : CliHome.demoTokenizer(), new ProgressBar(err), stop::get).run();
                if (model == null) {
                    err.println("stopped; rerun the same command to continue");
                    return 130;
                }
                spec.commandLine().getOut().println(model);
                return 0;
            } finally {
                Signal.handle(new Signal("INT"), previousInt);
                Signal.handle(new Signal("TERM"), previousTerm);
            }
        }
    }

    @Command(name = "report", mixinStandardHelpOptions = true,
            description = "Measure the world model with the world scorer: attribute accuracy of generations of held-out "
                    + "and seen shape-colour prompts, the scorer's own accuracy on real scenes; writes OUT/report.md "
                    + "and a contact sheet.")
    static final class Report implements Runnable {
        @Spec
        CommandSpec spec;

        @Option(names = "--model", paramLabel = "DIR", description = "The world model (default: models/booth-world).")
        Path model;

        @Option(names = "--scorer", paramLabel = "DIR",
                description = "The world scorer, a CLIPModel folder (default: models/booth-world-scorer).")
        Path scorer;

        @Option(names = "--out", defaultValue = "world-report", paramLabel = "DIR",
                description = "Where report.md and the contact sheet go (default: ${DEFAULT-VALUE}).")
        Path out;

        @Option(names = "--count", defaultValue = "64", paramLabel = "N",
                description = "Prompts of each kind (default: ${DEFAULT-VALUE}).")
        int count;

        @Option(names = "--steps", defaultValue = "20", paramLabel = "N", description = "(default: ${DEFAULT-VALUE})")
        int steps;

        @Option(names = "--guidance", defaultValue = "5", paramLabel = "G", description = "(default: ${DEFAULT-VALUE})")
        double guidance;

        @Option(names = "--scheduler", defaultValue = "dpmpp_2m_karras", paramLabel = "NAME",
                description = "(default: ${DEFAULT-VALUE})")
        String scheduler;

        @Option(names = "--seed", defaultValue = "0", paramLabel = "N",
                description = "First seed; prompt i uses seed + i (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--deep-cache", defaultValue = "1", paramLabel = "N",
                description = "Render with DeepCache every N steps, to measure what it costs (default: ${DEFAULT-VALUE}, off).")
        int deepCache;

        @Option(names = "--token-merging", defaultValue = "0", paramLabel = "R",
                description = "Render with ToMe at this ratio, to measure what it costs (default: ${DEFAULT-VALUE}, off).")
        double tokenMerging;

        @Option(names = "--subject-steps", defaultValue = "" + SubjectStudy.DEMO_STEPS, paramLabel = "N",
                description = "Steps of the subject's DreamBooth LoRA; 0 skips DreamBooth (default: ${DEFAULT-VALUE}).")
        int subjectSteps;

        @Option(names = "--class-images", defaultValue = "" + SubjectStudy.DEMO_CLASS_IMAGES, paramLabel = "N",
                description = "Class images for prior preservation, made by the model (default: ${DEFAULT-VALUE}).")
        int classImages;

        @Override
        public void run() {
            Path m = model != null ? model : CliHome.dir().resolve("models/booth-world");
            Path s = scorer != null ? scorer : CliHome.dir().resolve("models/booth-world-scorer");
            if (!Files.isRegularFile(m.resolve("model_index.json")) || !Files.isRegularFile(s.resolve("config.json"))) {
                throw new IllegalArgumentException("no world model at " + m + " or no scorer at " + s
                        + ": train them with ./booth world train (then pass --model OUT/model --scorer OUT/scorer)");
            }
            if (count < 1 || steps < 1 || subjectSteps < 0 || classImages < 1 || deepCache < 1) {
                throw new IllegalArgumentException("--count, --steps, --class-images and --deep-cache must be at least 1,"
                        + " --subject-steps at least 0");
            }
            new WorldReport(m, s, new WorldReport.Sampling(scheduler, steps, guidance, deepCache,
                    tokenMerging), count, seed)
                    .write(out, spec.commandLine().getOut(), subjectSteps == 0 ? null
                            : new SubjectStudy.Training(SubjectStudy.DEMO_PHOTOS, subjectSteps,
                            SubjectStudy.DEMO_RANK, SubjectStudy.DEMO_LR, classImages, true));
            spec.commandLine().getOut().println("wrote " + out.resolve("report.md"));
        }
    }
}
