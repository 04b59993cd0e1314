package ai.booth.diffusion.loader;

import ai.booth.diffusion.clip.CLIPTextConfig;
import ai.booth.diffusion.io.JsonConfig;
import ai.booth.diffusion.unet.UNet2DConditionConfig;
import ai.booth.diffusion.vae.AutoencoderKLConfig;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The three component configs of a Stable Diffusion model: from a diffusers folder or a named preset. */
public record ModelConfigs(CLIPTextConfig textEncoder, UNet2DConditionConfig unet, AutoencoderKLConfig vae) {

    /** Presets: {@code sd15} (SD-1.x, CLIP ViT-L/14) and {@code sd2} (SD-2.x 768-v, OpenCLIP ViT-H/14, 23 layers). */
    public static final List<String> PRESETS = List.of("sd15", "sd2");

    /** {@code text_encoder/config.json}, {@code unet/config.json}, {@code vae/config.json} of a diffusers folder. */
    public static ModelConfigs fromFolder(Path folder) {
        return new ModelConfigs(
                CLIPTextConfig.from(JsonConfig.read(require(folder.resolve("text_encoder/config.json")))),
                UNet2DConditionConfig.from(JsonConfig.read(require(folder.resolve("unet/config.json")))),
                AutoencoderKLConfig.from(JsonConfig.read(require(folder.resolve("vae/config.json")))));
    }

    public static ModelConfigs preset(String name) {
        String key = name.trim().toLowerCase(Locale.ROOT).replace("-", "").replace(".", "");
        if (key.equals("sd1") || key.equals("sd1x")) {
            key = "sd15";
        }
        if (!PRESETS.contains(key)) {
            throw new IllegalArgumentException("unknown preset '" + name + "': use one of " + PRESETS);
        }
        return new ModelConfigs(
                CLIPTextConfig.from(presetJson(key, "text_encoder")),
                UNet2DConditionConfig.from(presetJson(key, "unet")),
                AutoencoderKLConfig.from(presetJson(key, "vae")));
    }

    /** A preset component's config.json, e.g. to derive a variant from it. */
    public static JsonConfig presetJson(String preset, String component) {
        String resource = "/ai/booth/diffusion/presets/" + preset + "/" + component + ".json";
        try (InputStream in = ModelConfigs.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no preset resource " + resource);
            }
            return JsonConfig.parse(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path require(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("missing config " + file);
        }
        return file;
    }
}
