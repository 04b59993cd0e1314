package ai.booth.dataset.processing;

import ai.booth.contracts.RejectedFile;

/** Why a file (or a whole upload) does not become part of a dataset; the names are the report's reason codes. */
public enum Rejection {
    NOT_AN_IMAGE, CORRUPT, TOO_SMALL, DECOMPRESSION_BOMB, FILE_TOO_LARGE, ARCHIVE_TOO_LARGE, UNSAFE_PATH,
    NESTED_ARCHIVE, TOO_MANY_FILES, UNSUPPORTED_ARCHIVE,
    /** The service failed (S3 unreadable, a bug): not the files' fault, but the job must still end. */
    INTERNAL,
    /** S3 stayed unavailable for longer than the job may wait for it (booth.dataset.outage-wait). */
    S3_UNAVAILABLE;

    /** A problem line of DatasetRejected: {@code source: REASON: message}. */
    public static String problem(RejectedFile file) {
        return file.source() + ": " + file.reason() + ": " + file.message();
    }

    /** A failure of this kind with the detail that names the numbers involved. */
    public Rejected with(String message) {
        return new Rejected(this, message);
    }

    /** Thrown while checking one file; becomes a {@link RejectedFile} in the report. */
    public static final class Rejected extends RuntimeException {
        private final Rejection reason;

        Rejected(Rejection reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }

        public Rejection reason() {
            return reason;
        }

        public RejectedFile of(String source) {
            return new RejectedFile(source, reason.name(), getMessage());
        }
    }
}
