package ai.booth.contracts;

/**
 * A ControlNet steering a generation (diffusers' {@code StableDiffusionControlNetPipeline} arguments for one unit).
 *
 * @param model          ControlNet id, an object prefix in {@link Buckets#MODELS} (its manifest's type is controlnet)
 * @param imageBucket    where the control image is: {@link Buckets#GENERATIONS} (uploaded with the request; the
 *                       default, also for producers older than this field) or {@link Buckets#DATASETS} (one of the
 *                       owner's dataset images)
 * @param imageKey       the control image in that bucket, under the requesting owner's prefix: a map to use as is,
 *                       or a photo to preprocess
 * @param preprocessor   none (the image is the map) or canny
 * @param lowThreshold   canny's low hysteresis threshold (ignored by none)
 * @param highThreshold  canny's high hysteresis threshold (ignored by none)
 * @param scale          conditioning scale: the ControlNet's residuals are multiplied by it
 * @param guidanceStart  fraction of the steps before which the ControlNet is off
 * @param guidanceEnd    fraction of the steps after which it is off
 * @param guessMode      the ControlNet sees only the prompt, its residuals ramped from 0.1 to 1 over the blocks
 */
public record ControlRef(String model, @Nullable String imageBucket, String imageKey, String preprocessor,
                         int lowThreshold, int highThreshold, double scale, double guidanceStart, double guidanceEnd,
                         boolean guessMode) {

    public ControlRef {
        imageBucket = imageBucket == null ? Buckets.GENERATIONS : imageBucket;
    }
}
