package ai.booth.contracts.rules;

import java.util.List;

/**
 * The one set of bounds and defaults of a generation, whichever door it comes through (API, CLI, Kafka): the
 * gateway's field checks and sampler-service's request check use these. Scheduler names and the defaults that
 * {@code ./booth generate} shares (steps, guidance, scheduler, count) belong to the engine
 * ({@code Schedulers}, {@code GenerationParams}), which contracts cannot see.
 */
public final class GenerationRules {

    public static final Range STEPS = new Range(1, 150);
    public static final Range GUIDANCE_SCALE = new Range(0, 30);
    public static final Range COUNT = new Range(1, 8);
    /**
     * Images of one class-image set, which the trainer asks the sampler for (owner {@code Buckets.SYSTEM_OWNER}): as
     * many as a training may use.
     */
    public static final Range CLASS_IMAGE_COUNT = new Range(1, TrainingRules.MAX_CLASS_IMAGES);
    /** Width and height: multiples of {@link #PIXEL_MULTIPLE} in this range. */
    public static final Range SIZE = new Range(64, 2048);
    public static final int PIXEL_MULTIPLE = 8;
    public static final Range CLIP_SKIP = new Range(0, 10);
    /** DeepCache's interval: 1 (off) to 10; its paper finds SD-1.5 near unchanged at 3 to 5. */
    public static final Range DEEP_CACHE = new Range(1, 10);
    /** ToMe's ratio: 0 (off) to 0.75, ToMe for SD's own upper setting. */
    public static final Range TOKEN_MERGING = new Range(0, 0.75);
    /** Why DeepCache and ControlNets do not mix. */
    public static final String DEEP_CACHE_WITHOUT_CONTROLS = "does not combine with controls: a ControlNet's"
            + " residuals feed the levels DeepCache skips";
    /** A LoRA's UNet and text-encoder scales. */
    public static final Range LORA_SCALE = new Range(-2, 2);
    public static final int MAX_LORAS = 4;
    /** Trainings whose embeddings one generation loads. */
    public static final int MAX_EMBEDDINGS = 4;
    public static final int MAX_AXIS_VALUES = 8;
    public static final List<String> GRID_PARAMETERS = List.of("seed", "steps", "guidanceScale", "prompt",
            "unetScale", "textEncoderScale", "controlScale");

    /** The API counts skipped layers from 0 (none); the engine counts from 1 (last layer). */
    public static final int DEFAULT_CLIP_SKIP = 0;
    /** Width and height when neither the request nor the model's manifest gives a resolution. */
    public static final int DEFAULT_SIZE = 512;
    public static final double DEFAULT_LORA_SCALE = 1.0;

    /** Whether {@code pixels} is a valid width or height. */
    public static boolean validSize(int pixels) {
        return SIZE.contains(pixels) && pixels % PIXEL_MULTIPLE == 0;
    }

    private GenerationRules() {
    }
}
