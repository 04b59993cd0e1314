package ai.booth.contracts;

/**
 * An evaluation request produced no scores.
 *
 * @param evaluationId the request
 * @param code         machine-readable cause, e.g. INVALID_REQUEST, ENCODERS_NOT_INSTALLED, IMAGE_NOT_FOUND,
 *                     S3_UNAVAILABLE, INTERNAL
 * @param message      human-readable cause
 */
@Topic(Topics.EVALUATION_FAILED)
public record EvaluationFailed(String evaluationId, String code, String message) implements Payload {
}
