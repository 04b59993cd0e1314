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

import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code booth world}: Booth's own small world of shapes (module {@code world}) as datasets: base scenes with
 * captions, and a subject's instance photos for DreamBooth. Training the world's base model is not built yet.
 */
@Command(name = "world", mixinStandardHelpOptions = true,
        description = "Write the world's datasets: captioned base scenes, or a subject's photos.",
        subcommands = {WorldCommand.Base.class, WorldCommand.SubjectPhotos.class})
final class WorldCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command: base or subject");
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
}
