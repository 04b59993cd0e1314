package ai.booth.diffusion.loader;

import ai.booth.diffusion.clip.CLIPTextConfig;
import ai.booth.diffusion.clip.CLIPTextModel;
import ai.booth.diffusion.io.JsonConfig;
import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.nn.CheckpointException;
import ai.booth.diffusion.nn.StateDict;
import ai.booth.diffusion.nn.TensorSource;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.unet.UNet2DConditionConfig;
import ai.booth.diffusion.unet.UNet2DConditionModel;
import ai.booth.diffusion.vae.AutoencoderKL;
import ai.booth.diffusion.vae.AutoencoderKLConfig;
import ai.djl.ndarray.types.DataType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Loads a diffusers folder: {@code model_index.json} naming a CLIPTextModel {@code text_encoder}, a
 * UNet2DConditionModel {@code unet} and an AutoencoderKL {@code vae}, each with its {@code config.json} and
 * safetensors weights (see {@link WeightFiles#safetensorsIn}). Keys map one to one; the only renaming is for VAE
 * files written by diffusers before 0.14 ({@code query/key/value/proj_attn} attention names).
 */
public final class DiffusersFolderLoader {

    private DiffusersFolderLoader() {
    }

    public static StableDiffusionModel load(Path folder, EngineOptions options) {
        checkModelIndex(folder);
        ModelConfigs configs = ModelConfigs.fromFolder(folder);
        List<Path> files = weightFiles(folder);
        CLIPTextModel text = null;
        UNet2DConditionModel unet = null;
        try {
            text = textEncoder(files.get(0), configs.textEncoder(), options);
            unet = unet(files.get(1), configs.unet(), options);
            AutoencoderKL vae = vae(files.get(2), configs.vae(), options);
            return new StableDiffusionModel(text, unet, vae, configs, options, folder, folder, WeightFiles.sha256(files));
        } catch (RuntimeException e) {
            closeAll(text, unet);
            throw e;
        }
    }

    /**
     * What {@link #load} would build, vetted without reading a weight or needing the native engine: the index, the
     * configs, every key name and shape; plus the content hash {@code load} would compute.
     */
    public static ModelCheck check(Path folder) {
        checkModelIndex(folder);
        ModelConfigs configs = ModelConfigs.fromFolder(folder);
        List<Path> files = weightFiles(folder);
        checkComponent("text encoder", files.get(0), UnaryOperator.identity(),
                w -> new CLIPTextModel(configs.textEncoder(), w));
        checkComponent("unet", files.get(1), UnaryOperator.identity(), w -> new UNet2DConditionModel(configs.unet(), w));
        checkComponent("vae", files.get(2), DiffusersFolderLoader::modernVaeName,
                w -> new AutoencoderKL(configs.vae(), w));
        return new ModelCheck(folder, false, configs, folder, ModelCheck.FOLDER, files, WeightFiles.sha256(files));
    }

    private static List<Path> weightFiles(Path folder) {
        return List.of(WeightFiles.safetensorsIn(folder.resolve("text_encoder")),
                WeightFiles.safetensorsIn(folder.resolve("unet")), WeightFiles.safetensorsIn(folder.resolve("vae")));
    }

    private static void checkComponent(String what, Path weights, UnaryOperator<String> rename,
                                       Function<StateDict, ?> constructor) {
        try (SafeTensors file = SafeTensors.open(weights)) {
            ComponentBuilder.check(what + " " + weights, sources(file, rename), DataType.FLOAT32, constructor);
        }
    }

    public static CLIPTextModel textEncoder(Path weights, CLIPTextConfig config, EngineOptions options) {
        try (SafeTensors file = SafeTensors.open(weights)) {
            return ComponentBuilder.build("text encoder " + weights, sources(file, UnaryOperator.identity()),
                    options.device(), options.dtype(), w -> new CLIPTextModel(config, w));
        }
    }

    public static UNet2DConditionModel unet(Path weights, UNet2DConditionConfig config, EngineOptions options) {
        try (SafeTensors file = SafeTensors.open(weights)) {
            return ComponentBuilder.build("unet " + weights, sources(file, UnaryOperator.identity()),
                    options.device(), options.dtype(), w -> new UNet2DConditionModel(config, w));
        }
    }

    /** With {@code force_upcast} (SD's VAE overflows in half precision) a float16 request loads the VAE in float32. */
    public static AutoencoderKL vae(Path weights, AutoencoderKLConfig config, EngineOptions options) {
        try (SafeTensors file = SafeTensors.open(weights)) {
            return ComponentBuilder.build("vae " + weights, sources(file, DiffusersFolderLoader::modernVaeName),
                    options.device(), vaeDtype(config, options), w -> new AutoencoderKL(config, w));
        }
    }

    static DataType vaeDtype(AutoencoderKLConfig config, EngineOptions options) {
        return config.forceUpcast() ? DataType.FLOAT32 : options.dtype();
    }

    static Map<String, TensorSource> sources(SafeTensors file, UnaryOperator<String> rename) {
        Map<String, TensorSource> sources = new LinkedHashMap<>();
        for (String name : file.names()) {
            sources.put(rename.apply(name), TensorSource.of(file, name));
        }
        return sources;
    }

    /** diffusers < 0.14 named the VAE mid-block attention query/key/value/proj_attn. */
    private static String modernVaeName(String key) {
        return key.replace(".attentions.0.query.", ".attentions.0.to_q.")
                .replace(".attentions.0.key.", ".attentions.0.to_k.")
                .replace(".attentions.0.value.", ".attentions.0.to_v.")
                .replace(".attentions.0.proj_attn.", ".attentions.0.to_out.0.");
    }

    private static void checkModelIndex(Path folder) {
        Path index = folder.resolve("model_index.json");
        if (!Files.isRegularFile(index)) {
            throw new CheckpointException(folder + " is not a diffusers folder: no model_index.json");
        }
        JsonConfig json = JsonConfig.read(index);
        Map<String, String> expected = Map.of("text_encoder", "CLIPTextModel", "unet", "UNet2DConditionModel",
                "vae", "AutoencoderKL");
        for (Map.Entry<String, String> e : expected.entrySet()) {
            List<String> entry = json.strings(e.getKey(), List.of());
            if (entry.size() != 2 || !entry.get(1).equals(e.getValue())) {
                throw new CheckpointException(index + ": component " + e.getKey() + " must be " + e.getValue()
                        + ", found " + entry);
            }
        }
    }

    static void closeAll(AutoCloseable... models) {
        for (AutoCloseable m : models) {
            if (m != null) {
                try {
                    m.close();
                } catch (Exception ignored) {
                    // already failing; the original error is what matters
                }
            }
        }
    }
}
