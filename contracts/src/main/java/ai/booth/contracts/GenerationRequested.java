package ai.booth.contracts;

import java.util.List;

/**
 * Render images with a base model, optional LoRA adapters and optional ControlNets. Other systems may publish this directly.
 *
 * @param generationId    the request; also the envelope's correlation id
 * @param baseModel       base model id, an object prefix in {@link Buckets#MODELS}
 * @param prompt          what to draw
 * @param negativePrompt  what to steer away from (classifier-free guidance's unconditional prompt)
 * @param steps           denoising steps
 * @param guidanceScale   classifier-free guidance scale
 * @param seed            seed of the first image; image i uses seed + i
 * @param count           images to render (ignored when a grid is given)
 * @param width           pixels, a multiple of 8
 * @param height          pixels, a multiple of 8
 * @param scheduler       e.g. ddim, euler, euler_a, dpmpp_2m
 * @param clipSkip        text-encoder layers to skip from the end (0 = use the last)
 * @param loras           adapters to apply, possibly none
 * @param grid            optional sweep over two parameters
 * @param controls        ControlNets steering every image, possibly none (absent from producers older than this
 *                        field: read as none)
 * @param embeddings      textual-inversion files (A1111 or kohya/diffusers layout, keys in {@link Buckets#ADAPTERS})
 *                        whose tokens the prompts may name, possibly none (absent: none)
 * @param deepCache       DeepCache: the whole UNet every this many steps, the outermost level between (faster,
 *                        slightly different images); absent, null or 1: off
 * @param tokenMerging    ToMe for SD: this fraction of the outermost attention level's tokens merged before its
 *                        self-attentions (faster, slightly different images); absent, null or 0: off
 */
@Topic(Topics.GENERATION_REQUESTED)
public record GenerationRequested(String generationId, String baseModel, String prompt,
                                  @Nullable String negativePrompt, int steps, double guidanceScale, long seed,
                                  int count, int width, int height, String scheduler, int clipSkip,
                                  List<LoraRef> loras, @Nullable GridSpec grid,
                                  @Nullable List<ControlRef> controls, @Nullable List<String> embeddings,
                                  @Nullable Integer deepCache, @Nullable Double tokenMerging) implements Payload {

    public GenerationRequested {
        controls = controls == null ? List.of() : List.copyOf(controls);
        embeddings = embeddings == null ? List.of() : List.copyOf(embeddings);
    }

    /** A request without the optional accelerations, DeepCache and ToMe. */
    public GenerationRequested(String generationId, String baseModel, String prompt, String negativePrompt,
                               int steps, double guidanceScale, long seed, int count, int width, int height,
                               String scheduler, int clipSkip, List<LoraRef> loras, GridSpec grid,
                               List<ControlRef> controls, List<String> embeddings) {
        this(generationId, baseModel, prompt, negativePrompt, steps, guidanceScale, seed, count, width, height,
                scheduler, clipSkip, loras, grid, controls, embeddings, null, null);
    }

    /** The DeepCache interval the sampler runs: 1 (off) when absent. */
    public int deepCacheInterval() {
        return deepCache == null ? 1 : deepCache;
    }

    /** The ToMe ratio the sampler runs: 0 (off) when absent. */
    public double tokenMergingRatio() {
        return tokenMerging == null ? 0 : tokenMerging;
    }

    /** A request without embeddings. */
    public GenerationRequested(String generationId, String baseModel, String prompt, String negativePrompt,
                               int steps, double guidanceScale, long seed, int count, int width, int height,
                               String scheduler, int clipSkip, List<LoraRef> loras, GridSpec grid,
                               List<ControlRef> controls) {
        this(generationId, baseModel, prompt, negativePrompt, steps, guidanceScale, seed, count, width, height,
                scheduler, clipSkip, loras, grid, controls, List.of(), null, null);
    }

    /** A request without ControlNets. */
    public GenerationRequested(String generationId, String baseModel, String prompt, String negativePrompt,
                               int steps, double guidanceScale, long seed, int count, int width, int height,
                               String scheduler, int clipSkip, List<LoraRef> loras, GridSpec grid) {
        this(generationId, baseModel, prompt, negativePrompt, steps, guidanceScale, seed, count, width, height,
                scheduler, clipSkip, loras, grid, List.of(), List.of(), null, null);
    }
}
