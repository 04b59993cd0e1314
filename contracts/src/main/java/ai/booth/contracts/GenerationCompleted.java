package ai.booth.contracts;

import java.util.List;

/**
 * Images of a generation request are stored.
 *
 * @param generationId  the request
 * @param images        the images, in seed order (row-major for grids)
 * @param gridKey       the assembled grid image, when a grid was requested
 * @param totalMillis   wall time including model loading
 * @param timings       where the time went (absent from producers older than this field)
 * @param controlMapKeys the control map fed to each ControlNet of the request (after its preprocessor), in
 *                      {@code controls} order; empty without ControlNets (absent from older producers: read as none)
 */
@Topic(Topics.GENERATION_COMPLETED)
public record GenerationCompleted(String generationId, List<GeneratedImage> images, @Nullable String gridKey,
                                  long totalMillis, @Nullable GenerationTimings timings,
                                  @Nullable List<String> controlMapKeys) implements Payload {

    public GenerationCompleted {
        controlMapKeys = controlMapKeys == null ? List.of() : List.copyOf(controlMapKeys);
    }

    /** A result without control maps. */
    public GenerationCompleted(String generationId, List<GeneratedImage> images, String gridKey, long totalMillis,
                               GenerationTimings timings) {
        this(generationId, images, gridKey, totalMillis, timings, List.of());
    }
}
