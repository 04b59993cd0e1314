package ai.booth.diffusion.eval;

import ai.booth.diffusion.clip.CLIPModel;
import ai.booth.diffusion.io.JsonConfig;
import ai.booth.diffusion.loader.TransformersFolderLoader;
import ai.booth.diffusion.runtime.EngineOptions;
import ai.booth.diffusion.runtime.NoGrad;
import ai.booth.diffusion.tokenizer.CLIPTokenizer;
import ai.booth.diffusion.vit.ViTModel;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;

/**
 * The DreamBooth paper's evaluation encoders, loaded once: a CLIP model with its tokenizer and image processor, and a
 * DINO ViT with its processor, each from its transformers folder. The DINO slot also takes a CLIPModel folder (the
 * CLIP one itself, say, for a world without a DINO of its own): its image tower's pooled output, before the
 * projection, is then the "DINO" embedding. Embeddings come back as float rows (not normalised);
 * every call runs without autograd in its own manager, so nothing outlives it but the rows.
 */
public final class EvalEncoders implements AutoCloseable {

    /** Images per forward: bounds activation memory for CLIP-L / ViT-S at 224² while keeping batches efficient. */
    private static final int BATCH = 8;

    private final CLIPModel clip;
    private final EvalImageProcessor clipProcessor;
    private final CLIPTokenizer tokenizer;
    private final ViTModel dino;
    /** The CLIP model in the DINO slot, or null; may be {@link #clip} itself. */
    private final CLIPModel dinoClip;
    private final EvalImageProcessor dinoProcessor;
    private final Device device;

    private EvalEncoders(CLIPModel clip, ViTModel dino, CLIPModel dinoClip, Path clipDir, Path dinoDir, Device device) {
        this.clip = clip;
        this.dino = dino;
        this.dinoClip = dinoClip;
        this.clipProcessor = EvalImageProcessor.read(clipDir.resolve("preprocessor_config.json"));
        this.tokenizer = CLIPTokenizer.fromFolder(clipDir);
        this.dinoProcessor = EvalImageProcessor.read(dinoDir.resolve("preprocessor_config.json"));
        this.device = device;
    }

    /**
     * A transformers CLIPModel folder and a ViTModel folder (config, model.safetensors, processor, tokenizer); the
     * second may be a CLIPModel folder too, or the same folder.
     */
    public static EvalEncoders load(Path clipDir, Path dinoDir, EngineOptions options) {
        CLIPModel clip = TransformersFolderLoader.clip(clipDir, options);
        ViTModel dino = null;
        CLIPModel dinoClip = null;
        try {
            if (!isClipFolder(dinoDir)) {
                dino = TransformersFolderLoader.vit(dinoDir, options);
            } else {
                dinoClip = sameFolder(clipDir, dinoDir) ? clip : TransformersFolderLoader.clip(dinoDir, options);
            }
            return new EvalEncoders(clip, dino, dinoClip, clipDir, dinoDir, options.device());
        } catch (RuntimeException e) {
            close(clip, dino, dinoClip);
            throw e;
        }
    }

    /** The encoders loaded; the DINO slot's CLIP only when it is not the CLIP slot's own. */
    private static void close(CLIPModel clip, ViTModel dino, CLIPModel dinoClip) {
        clip.close();
        if (dino != null) {
            dino.close();
        }
        if (dinoClip != null && dinoClip != clip) {
            dinoClip.close();
        }
    }

    private static boolean isClipFolder(Path dir) {
        return "clip".equals(JsonConfig.read(dir.resolve("config.json")).string("model_type", ""));
    }

    private static boolean sameFolder(Path a, Path b) {
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }

    /** CLIP image_embeds, one row per image. */
    public float[][] clipImageEmbeds(List<RgbImage> images) {
        return embed(images, (batch, m) -> clip.imageEmbeds(clipProcessor.batch(batch, m)));
    }

    /** DINO embeddings (the final class token; a CLIP image tower's pooled output), one row per image. */
    public float[][] dinoEmbeds(List<RgbImage> images) {
        return embed(images, (batch, m) -> dino != null ? dino.classEmbeds(dinoProcessor.batch(batch, m))
                : dinoClip.visionModel().forward(dinoProcessor.batch(batch, m)));
    }

    /** CLIP text_embeds, one row per prompt (tokenised by the CLIP folder's tokenizer). */
    public float[][] clipTextEmbeds(List<String> prompts) {
        return embed(prompts, (batch, m) -> clip.textEmbeds(m.create(tokenizer.encodeBatch(batch))));
    }

    private <T> float[][] embed(List<T> inputs, BiFunction<List<T>, NDManager, NDArray> encoder) {
        float[][] rows = new float[inputs.size()][];
        try (NoGrad ignored = NoGrad.enter()) {
            for (int from = 0; from < inputs.size(); from += BATCH) {
                try (NDManager m = NDManager.newBaseManager(device)) {
                    NDArray out = encoder.apply(inputs.subList(from, Math.min(inputs.size(), from + BATCH)), m);
                    int dim = (int) out.getShape().get(1);
                    float[] flat = out.toType(DataType.FLOAT32, false).toFloatArray();
                    for (int i = 0; i < flat.length / dim; i++) {
                        rows[from + i] = Arrays.copyOfRange(flat, i * dim, (i + 1) * dim);
                    }
                }
            }
        }
        return rows;
    }

    @Override
    public void close() {
        close(clip, dino, dinoClip);
    }
}
