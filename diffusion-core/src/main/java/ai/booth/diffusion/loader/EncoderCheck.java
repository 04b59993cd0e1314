package ai.booth.diffusion.loader;

import ai.booth.diffusion.clip.CLIPConfig;
import ai.booth.diffusion.clip.CLIPModel;
import ai.booth.diffusion.eval.EvalImageProcessor;
import ai.booth.diffusion.io.JsonConfig;
import ai.booth.diffusion.io.SafeTensors;
import ai.booth.diffusion.nn.CheckpointException;
import ai.booth.diffusion.vit.ViTConfig;
import ai.booth.diffusion.vit.ViTModel;
import ai.djl.ndarray.types.DataType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The engine's verdict on an evaluation encoder folder (as {@link TransformersFolderLoader} reads it) from its configs
 * and the weights' header only, so a registry can refuse a bad upload before storing anything and without a native
 * engine: the config's {@code model_type} names the role ({@value #CLIP}: a CLIPModel; {@value #DINO}: a ViTModel),
 * every weight name and shape is checked, and the processor (and CLIP's tokenizer) must be there.
 *
 * @param folder      the transformers folder
 * @param role        {@value #CLIP} or {@value #DINO}
 * @param files       every file the engine reads from the folder (configs, processor, tokenizer, weights)
 * @param contentHash SHA-256 of the weights file
 */
public record EncoderCheck(Path folder, String role, List<Path> files, String contentHash) {

    public static final String CLIP = "clip";
    public static final String DINO = "dino";
    /** The roles evaluation needs, one encoder each. */
    public static final List<String> ROLES = List.of(CLIP, DINO);
    /**
     * What scoring needs when the {@code missing} roles are not installed, and how to install them: the one wording
     * of the gateway's 400s and the workers' ENCODERS_NOT_INSTALLED failures.
     */
    public static String missingMessage(List<String> missing) {
        return "needs a " + String.join(" and a ", missing) + " encoder installed: POST /api/v1/models?kind=encoder"
                + " (or ./booth model add DIR --encoder) with a transformers folder, e.g."
                + " openai/clip-vit-large-patch14 (CLIPModel) for clip, facebook/dino-vits16 (ViTModel) for dino";
    }

    /** What a CLIP folder's tokenizer needs beside its weights; the two JSON files are optional. */
    private static final List<String> CLIP_TOKENIZER = List.of("vocab.json", "merges.txt");
    private static final List<String> CLIP_TOKENIZER_OPTIONAL = List.of("tokenizer_config.json",
            "special_tokens_map.json");

    /** Checks {@code folder}; a {@link CheckpointException} or IllegalArgumentException says why it is refused. */
    public static EncoderCheck of(Path folder) {
        Path config = folder.resolve("config.json");
        if (!Files.isDirectory(folder) || !Files.isRegularFile(config)) {
            throw new CheckpointException(folder + " is not a transformers model folder: no config.json");
        }
        String type = JsonConfig.read(config).string("model_type", "");
        String role = switch (type) {
            case "clip" -> CLIP;
            case "vit" -> DINO;
            default -> throw new CheckpointException(config + ": model_type '" + type + "' is neither a CLIPModel"
                    + " (clip) nor a DINO ViTModel (vit)");
        };
        List<Path> files = new ArrayList<>(List.of(config, required(folder, "preprocessor_config.json")));
        EvalImageProcessor.read(folder.resolve("preprocessor_config.json"));
        Path weights = WeightFiles.safetensorsIn(folder);
        files.add(weights);
        try (SafeTensors file = SafeTensors.open(weights)) {
            var sources = DiffusersFolderLoader.sources(file, UnaryOperator.identity());
            if (role.equals(CLIP)) {
                CLIPConfig clip = CLIPConfig.read(config);
                ComponentBuilder.check("CLIP model " + weights, sources, DataType.FLOAT32, w -> new CLIPModel(clip, w));
                CLIP_TOKENIZER.forEach(name -> files.add(required(folder, name)));
                CLIP_TOKENIZER_OPTIONAL.stream().map(folder::resolve).filter(Files::isRegularFile).forEach(files::add);
            } else {
                ViTConfig vit = ViTConfig.read(config);
                ComponentBuilder.check("ViT model " + weights, sources, DataType.FLOAT32, w -> new ViTModel(vit, w));
            }
        }
        return new EncoderCheck(folder, role, List.copyOf(files), WeightFiles.sha256(List.of(weights)));
    }

    private static Path required(Path folder, String name) {
        Path file = folder.resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(folder + " has no " + name + " (an evaluation encoder folder holds what"
                    + " transformers' save_pretrained writes for the model and its processor)");
        }
        return file;
    }
}
