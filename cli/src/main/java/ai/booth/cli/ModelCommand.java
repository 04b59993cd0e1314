package ai.booth.cli;

import ai.booth.service.MinioClientProducer;
import ai.booth.service.ObjectStore;
import ai.booth.service.S3Config;
import ai.booth.service.models.ModelManifest;
import ai.booth.service.models.ModelRegistry;
import io.smallrye.config.SmallRyeConfigBuilder;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code booth model add|list}: the base models in the models bucket, through service-common's
 * {@link ModelRegistry}. S3 is reached with the services' settings ({@link S3Config}: {@code booth.s3.*} system
 * properties or {@code BOOTH_S3_*} environment variables), defaulting to the local stack of {@code ./booth up}.
 */
@Command(name = "model", mixinStandardHelpOptions = true,
        description = "Install and list base models in Booth's models bucket (S3 from booth.s3.* / BOOTH_S3_*).",
        subcommands = {ModelCommand.Add.class, ModelCommand.ListModels.class})
final class ModelCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing command: add or list");
    }

    /** The layout, prefixed by what the model is when it is no base model: "folder", "controlnet single-file". */
    static String kindLabel(ModelManifest m) {
        return (m.base() ? "" : m.type() + " ") + m.kind();
    }

    /** The registry on the configured S3 server; a fresh config per call, so system properties set late count. */
    static ModelRegistry registry() {
        S3Config s3 = new SmallRyeConfigBuilder().addDefaultSources().withMapping(S3Config.class).build()
                .getConfigMapping(S3Config.class);
        return new ModelRegistry(new ObjectStore(MinioClientProducer.client(s3)));
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Install a diffusers folder or a single .safetensors checkpoint as a base model. The engine "
                    + "checks it first (configs, every weight name and shape; pickle .ckpt/.bin/.pt refused), then "
                    + "the files are uploaded and model.json is written last.",
                    "Example: booth model add ~/models/dreamshaper_8.safetensors --id dreamshaper-8 --preset sd15"})
    static final class Add implements Runnable {

        @Parameters(paramLabel = "PATH", description = "A diffusers folder or a .safetensors file.")
        Path path;

        @Option(names = "--id", description = "Model id (baseModel in requests); default: the folder or file name.")
        String id;

        @Option(names = "--name", description = "Display name; default: the id.")
        String name;

        @Option(names = "--controlnet", description = "Install a ControlNet (a diffusers folder with config.json, or "
                + "an A1111 single file) for generations' controls[].model, instead of a base model.")
        boolean controlNet;

        @Option(names = "--encoder", description = "Install an evaluation encoder: a transformers CLIPModel folder "
                + "(e.g. openai/clip-vit-large-patch14) or DINO ViTModel folder (e.g. facebook/dino-vits16) with "
                + "config.json, model.safetensors, preprocessor_config.json (and CLIP's tokenizer). With one of "
                + "each installed, trainings with validation prompts are scored (DINO, CLIP-I, CLIP-T).")
        boolean encoder;

        @ArgGroup
        Architecture architecture;

        static final class Architecture {
            @Option(names = "--preset", description = "Single files: built-in configs, sd15 or sd2.")
            String preset;

            @Option(names = "--config-from", paramLabel = "DIR",
                    description = "Single files: a diffusers folder whose configs, tokenizer and scheduler describe "
                            + "it (stored with the model).")
            Path configFrom;
        }

        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            String config = architecture == null ? null
                    : architecture.preset != null ? architecture.preset : architecture.configFrom.toString();
            if (config != null && Files.isDirectory(path)) {
                throw new IllegalArgumentException("--preset and --config-from apply to single files; " + path
                        + " is a folder with its own configs");
            }
            if ((controlNet || encoder) && config != null) {
                throw new IllegalArgumentException("--preset and --config-from describe base models; a ControlNet "
                        + "takes its folder's config.json or, as a single file, the config of the base it steers; "
                        + "an encoder its folder's config.json");
            }
            if (controlNet && encoder) {
                throw new IllegalArgumentException("give --controlnet or --encoder, not both");
            }
            String modelId = id != null ? id : defaultId(path);
            ModelManifest manifest = controlNet ? registry().installControlNet(path, modelId, name)
                    : encoder ? registry().installEncoder(path, modelId, name)
                    : registry().install(path, modelId, name, config);
            spec.commandLine().getOut().printf("installed %s: %s, %s, %d bytes, resolution %d, content hash %s%n",
                    manifest.id(), kindLabel(manifest),
                    manifest.configSource(), manifest.sizeBytes(), manifest.resolution(), manifest.contentHash());
        }

        /** The folder or file name without {@code .safetensors}, made a valid id. */
        static String defaultId(Path path) {
            String name = path.toAbsolutePath().normalize().getFileName().toString();
            if (name.toLowerCase(Locale.ROOT).endsWith(".safetensors")) {
                name = name.substring(0, name.length() - ".safetensors".length());
            }
            return name.replaceAll("[^A-Za-z0-9._-]", "-");
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "The installed models (KIND: the layout, prefixed by controlnet or encoder for those; an "
                    + "encoder's CONFIG is its role, clip or dino).")
    static final class ListModels implements Runnable {

        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            List<ModelManifest> models = registry().list();
            PrintWriter out = spec.commandLine().getOut();
            out.printf("%-24s %-12s %-14s %10s %6s  %-12s %s%n", "ID", "KIND", "CONFIG", "MB", "SIZE", "HASH", "NAME");
            for (ModelManifest m : models) {
                out.printf("%-24s %-12s %-14s %10.1f %6d  %-12s %s%n", m.id(),
                        kindLabel(m), m.configSource(),
                        m.sizeBytes() / 1e6, m.resolution(),
                        m.contentHash() == null ? "-" : m.contentHash().substring(0, 10), m.name());
            }
        }
    }
}
