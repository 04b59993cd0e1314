package ai.booth.contracts;

/**
 * One training image of a dataset.
 *
 * @param key          object key in {@link Buckets#DATASETS}, under {@code processed/v<n>/}
 * @param width        pixels
 * @param height       pixels
 * @param contentType  e.g. image/png
 * @param caption      its training caption (also stored beside it as a .txt object)
 */
public record DatasetImage(String key, int width, int height, String contentType, String caption) {
}
