package ai.booth.trainer;

/** Ends a training with {@code TrainingFailed(code, message)}: a cause the requester can act on. */
final class JobFailure extends RuntimeException {

    private final String code;

    JobFailure(String code, String message) {
        super(message);
        this.code = code;
    }

    JobFailure(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    String code() {
        return code;
    }
}
