package ai.booth.gateway.dataset;

/**
 * New processing settings for a ready dataset; absent fields take the defaults (face, 512, no buckets, drop
 * near-duplicates), an absent instance prompt keeps the current one.
 *
 * @param cropMode            face, centre or pad
 * @param resolution          output side in pixels, a multiple of 8 in 256..2048
 * @param aspectBuckets       crop to the aspect-ratio bucket nearest each photo instead of a square
 * @param dropNearDuplicates  keep only the sharpest photo of each near-duplicate group
 * @param instancePrompt      caption of images without a caption file
 */
public record ReprocessSpec(String cropMode, Integer resolution, Boolean aspectBuckets, Boolean dropNearDuplicates,
                            String instancePrompt) {
}
