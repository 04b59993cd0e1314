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
 */
@Topic(Topics.GENERATION_COMPLETED)
public record GenerationCompleted(String generationId, List<GeneratedImage> images, @Nullable String gridKey,
                                  long totalMillis, @Nullable GenerationTimings timings) implements Payload {
}
