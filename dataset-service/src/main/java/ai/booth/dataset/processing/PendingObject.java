package ai.booth.dataset.processing;

import java.nio.file.Path;

/**
 * An object to store once the whole dataset version is known to be good.
 *
 * @param key          object key in the datasets bucket
 * @param file         its content, in the job's work directory
 * @param contentType  MIME type
 */
public record PendingObject(String key, Path file, String contentType) {
}
