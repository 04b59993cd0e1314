package ai.booth.contracts;

/**
 * One rendered image.
 *
 * @param key     key in {@link Buckets#GENERATIONS}
 * @param seed    the seed it was rendered with
 * @param millis  time spent rendering it
 */
public record GeneratedImage(String key, long seed, long millis) {
}
