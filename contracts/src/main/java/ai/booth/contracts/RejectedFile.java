package ai.booth.contracts;

/**
 * A file of an upload that did not become part of the dataset; it was not stored.
 *
 * @param source   the uploaded file name, or {@code archive.zip!path/in/archive}
 * @param reason   NOT_AN_IMAGE, CORRUPT, TOO_SMALL, DECOMPRESSION_BOMB, FILE_TOO_LARGE, ARCHIVE_TOO_LARGE,
 *                 UNSAFE_PATH, NESTED_ARCHIVE, TOO_MANY_FILES or UNSUPPORTED_ARCHIVE
 * @param message  human-readable detail with the numbers involved
 */
public record RejectedFile(String source, String reason, String message) {
}
