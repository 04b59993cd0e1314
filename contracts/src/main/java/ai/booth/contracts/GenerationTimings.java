package ai.booth.contracts;

/**
 * Where a generation's time went. Requests rendered together share the model load.
 *
 * @param loadMillis    getting the base model and adapters ready (0 when they were cached and loaded)
 * @param sampleMillis  rendering this request's images
 * @param uploadMillis  storing its PNGs
 * @param batchSize     requests rendered together with this one: one model lease, adapters attached once, images
 *                      packed into shared pipeline calls (1 = alone)
 */
public record GenerationTimings(long loadMillis, long sampleMillis, long uploadMillis, int batchSize) {
}
