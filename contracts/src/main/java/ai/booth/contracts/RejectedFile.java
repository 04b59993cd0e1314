package ai.booth.contracts;

/**
 * A file of an upload that did not become part of the dataset; it was not stored.
 *
 * @param source   the uploaded file name, or {@code archive.zip!path/in/archive}
 * @param reason   NOT_AN_IMAGE, CORRUPT, TOO_SMALL, DECOMPRESSION_BOMB, FILE_TOO_LARGE, ARCHIVE_TOO_LARGE,
 *                 UNSAFE_PATH, NESTED_ARCHIVE, TOO_MANY_FILES, UNSUPPORTED_ARCHIVE, or INTERNAL (the service failed
 *                 while processing: not the files' fault)
 * @param message  human-readable detail with the numbers involved
 */
public record RejectedFile(String source, String reason, String message) {
}
