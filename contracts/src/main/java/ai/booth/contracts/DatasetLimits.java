package ai.booth.contracts;

/**
 * What one dataset upload may hold. The gateway enforces the byte and file-count limits while receiving; the dataset
 * service enforces all of them again on what it reads (sizes counted as bytes arrive, never taken from headers).
 *
 * @param maxFileBytes        one image file, uploaded directly or inside an archive
 * @param maxArchiveBytes     one uploaded archive, compressed
 * @param maxExpandedBytes    all entries of all archives of an upload, uncompressed
 * @param maxFiles            image files in one upload, archives expanded
 * @param maxArchiveEntries   entries of one archive, captions and skipped files included
 * @param maxPixels           width × height of one image, read from its header before decoding
 * @param fewImages           fewer images than this are accepted with a warning
 * @param manyImages          more images than this are accepted with a warning
 */
public record DatasetLimits(long maxFileBytes, long maxArchiveBytes, long maxExpandedBytes, int maxFiles,
                            int maxArchiveEntries, long maxPixels, int fewImages, int manyImages) {

    private static final long MIB = 1024 * 1024;

    public static final DatasetLimits DEFAULT = new DatasetLimits(40 * MIB, 512 * MIB, 1024 * MIB, 100, 1000,
            50_000_000L, 5, 50);
}
