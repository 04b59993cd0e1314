package ai.booth.dataset.processing;

import java.nio.file.Path;

/**
 * One file of a dataset, spooled to a local file: an uploaded image or archive, an archive entry, or a stored
 * original being reprocessed.
 *
 * @param source       the uploaded file name, or {@code archive.zip!path/in/archive.jpg}
 * @param path         its bytes
 * @param caption      the caption file's text beside it in the archive, or null
 * @param originalKey  where the original is already stored (reprocessing), or null for a new upload
 */
public record UploadFile(String source, Path path, String caption, String originalKey) {

    public static UploadFile uploaded(String source, Path path, String caption) {
        return new UploadFile(source, path, caption, null);
    }
}
