package ai.booth.contracts;

/**
 * One checked image of a dataset.
 *
 * @param key          object key in {@link Buckets#DATASETS}
 * @param width        pixels
 * @param height       pixels
 * @param contentType  e.g. image/png
 */
public record DatasetImage(String key, int width, int height, String contentType) {
}
