package ai.booth.diffusion.loader;

import ai.booth.diffusion.clip.CLIPTextModel;
import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.nn.CheckpointException;
import ai.booth.diffusion.nn.TensorSource;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.unet.UNet2DConditionModel;
import ai.booth.diffusion.vae.AutoencoderKL;
import ai.djl.ndarray.types.DataType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Loads an original-layout single-file checkpoint (civitai / A1111 {@code .safetensors}) into the same modules as a
 * diffusers folder (key mapping in {@link LdmLayout}). Its architecture comes from, in order of preference: the
 * configs of a diffusers folder, a named preset ({@link ModelConfigs#PRESETS}), or inference from tensor shapes
 * ({@link ConfigInference}). Keys outside the three component prefixes (EMA copies, noise-schedule buffers) are
 * ignored; inside them, every missing, unexpected or mis-shaped key is reported in one error.
 */
public final class SingleFileLoader {

    private SingleFileLoader() {
    }

    /**
     * @param config {@code "infer"} (or null/blank), a preset name ({@code sd15}, {@code sd2}), or the path of a
     *               diffusers folder whose component {@code config.json} files describe it
     */
    public static StableDiffusionModel load(Path file, String config, EngineOptions options) {
        Architecture a = Architecture.of(config);
        return load(file, a.configs(), a.configDir(), options);
    }

    /**
     * What {@link #load(Path, String, EngineOptions)} would build, vetted without reading a weight or needing the
     * native engine (architecture, every key name and shape), plus the content hash {@code load} would compute.
     */
    public static ModelCheck check(Path file, String config) {
        refusePickle(file);
        Architecture a = Architecture.of(config);
        try (SafeTensors st = SafeTensors.open(file)) {
            ModelConfigs c = a.configs() != null ? a.configs() : ConfigInference.infer(st);
            ComponentBuilder.check("text encoder of " + file, textEncoderSources(st, c), DataType.FLOAT32,
                    w -> new CLIPTextModel(c.textEncoder(), w));
            ComponentBuilder.check("unet of " + file, LdmLayout.unet(st, c.unet()), DataType.FLOAT32,
                    w -> new UNet2DConditionModel(c.unet(), w));
            ComponentBuilder.check("vae of " + file, LdmLayout.vae(st, c.vae()), DataType.FLOAT32,
                    w -> new AutoencoderKL(c.vae(), w));
            return new ModelCheck(file, true, c, a.configDir(), a.source(), List.of(file),
                    WeightFiles.sha256(List.of(file)));
        }
    }

    /** Where a single file's architecture comes from: configs (null = infer), their folder, and a label. */
    private record Architecture(ModelConfigs configs, Path configDir, String source) {
        static Architecture of(String config) {
            if (config == null || config.isBlank() || config.equals("infer")) {
                return new Architecture(null, null, ModelCheck.INFERRED);
            }
            Path folder = Path.of(config);
            if (Files.isDirectory(folder)) {
                return new Architecture(ModelConfigs.fromFolder(folder), folder, ModelCheck.COMPANION);
            }
            return new Architecture(ModelConfigs.preset(config), null, ModelCheck.PRESET_PREFIX + config.trim());
        }
    }

    private static void refusePickle(Path file) {
        String name = file.getFileName().toString();
        if (name.endsWith(".ckpt") || name.endsWith(".pt") || name.endsWith(".pth") || name.endsWith(".bin")) {
            throw new CheckpointException(file + " is a pickle checkpoint, which Booth does not load (unpickling can run "
                    + "arbitrary code); use the .safetensors release of the model or convert it");
        }
    }

    private static Map<String, TensorSource> textEncoderSources(SafeTensors st, ModelConfigs c) {
        return LdmLayout.isOpenClip(st) ? LdmLayout.openClip(st, c.textEncoder()) : LdmLayout.clip(st);
    }

    /**
     * @param configs   the architecture, or null to infer it from the file's shapes
     * @param configDir the diffusers folder the configs came from (for its tokenizer and scheduler), or null
     */
    public static StableDiffusionModel load(Path file, ModelConfigs configs, Path configDir, EngineOptions options) {
        refusePickle(file);
        try (SafeTensors st = SafeTensors.open(file)) {
            ModelConfigs c = configs != null ? configs : ConfigInference.infer(st);
            CLIPTextModel text = null;
            UNet2DConditionModel unet = null;
            try {
                text = ComponentBuilder.build("text encoder of " + file,
                        textEncoderSources(st, c),
                        options.device(), options.dtype(), w -> new CLIPTextModel(c.textEncoder(), w));
                unet = ComponentBuilder.build("unet of " + file, LdmLayout.unet(st, c.unet()),
                        options.device(), options.dtype(), w -> new UNet2DConditionModel(c.unet(), w));
                AutoencoderKL vae = ComponentBuilder.build("vae of " + file, LdmLayout.vae(st, c.vae()),
                        options.device(), DiffusersFolderLoader.vaeDtype(c.vae(), options),
                        w -> new AutoencoderKL(c.vae(), w));
                return new StableDiffusionModel(text, unet, vae, c, options, file, configDir,
                        WeightFiles.sha256(List.of(file)));
            } catch (RuntimeException e) {
                DiffusersFolderLoader.closeAll(text, unet);
                throw e;
            }
        }
    }
}
