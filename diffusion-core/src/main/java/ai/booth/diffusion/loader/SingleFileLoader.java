package ai.booth.diffusion.loader;

import ai.booth.diffusion.clip.CLIPTextModel;
import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.nn.CheckpointException;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.unet.UNet2DConditionModel;
import ai.booth.diffusion.vae.AutoencoderKL;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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
        if (config == null || config.isBlank() || config.equals("infer")) {
            return load(file, null, null, options);
        }
        Path folder = Path.of(config);
        if (Files.isDirectory(folder)) {
            return load(file, ModelConfigs.fromFolder(folder), folder, options);
        }
        return load(file, ModelConfigs.preset(config), null, options);
    }

    /**
     * @param configs   the architecture, or null to infer it from the file's shapes
     * @param configDir the diffusers folder the configs came from (for its tokenizer and scheduler), or null
     */
    public static StableDiffusionModel load(Path file, ModelConfigs configs, Path configDir, EngineOptions options) {
        String name = file.getFileName().toString();
        if (name.endsWith(".ckpt") || name.endsWith(".pt") || name.endsWith(".pth") || name.endsWith(".bin")) {
            throw new CheckpointException(file + " is a pickle checkpoint, which Booth does not load (unpickling can run "
                    + "arbitrary code); use the .safetensors release of the model or convert it");
        }
        try (SafeTensors st = SafeTensors.open(file)) {
            ModelConfigs c = configs != null ? configs : ConfigInference.infer(st);
            CLIPTextModel text = null;
            UNet2DConditionModel unet = null;
            try {
                text = ComponentBuilder.build("text encoder of " + file,
                        LdmLayout.isOpenClip(st) ? LdmLayout.openClip(st, c.textEncoder()) : LdmLayout.clip(st),
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
