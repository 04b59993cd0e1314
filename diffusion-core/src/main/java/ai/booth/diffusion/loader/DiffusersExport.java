package ai.booth.diffusion.loader;

import ai.booth.diffusion.io.SafeTensors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes a model as a diffusers folder that {@link DiffusersFolderLoader} and diffusers' {@code from_pretrained} load:
 * the weights as they are in memory, and the configs, tokenizer and scheduler copied from the folder the model's
 * configs came from (a model without one — a single file with inferred configs — cannot be written this way).
 */
public final class DiffusersExport {

    private static final List<String> COPIED = List.of("model_index.json", "scheduler", "tokenizer",
            "text_encoder/config.json", "unet/config.json", "vae/config.json");

    private DiffusersExport() {
    }

    public static void write(StableDiffusionModel model, Path folder, Map<String, String> metadata) {
        Path configs = model.configDir();
        if (configs == null) {
            throw new IllegalArgumentException("the model has no diffusers config folder to copy (a single file with "
                    + "inferred configs); load it with a config folder to write it as diffusers");
        }
        try {
            for (String part : COPIED) {
                copy(configs.resolve(part), folder.resolve(part));
            }
            Files.createDirectories(folder.resolve("text_encoder"));
            Files.createDirectories(folder.resolve("unet"));
            Files.createDirectories(folder.resolve("vae"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write diffusers folder " + folder, e);
        }
        SafeTensors.write(folder.resolve("text_encoder/model.safetensors"), model.textEncoder().parameters(), metadata);
        SafeTensors.write(folder.resolve("unet/diffusion_pytorch_model.safetensors"), model.unet().parameters(),
                metadata);
        SafeTensors.write(folder.resolve("vae/diffusion_pytorch_model.safetensors"), model.vae().parameters(), metadata);
    }

    private static void copy(Path from, Path to) throws IOException {
        if (!Files.exists(from)) {
            throw new IllegalArgumentException("the model's config folder lacks " + from);
        }
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
