package ai.booth.contracts;

/**
 * A generation request produced no images.
 *
 * @param generationId  the request
 * @param code          machine-readable cause, e.g. INVALID_REQUEST, MODEL_NOT_FOUND, ADAPTER_NOT_FOUND, S3_UNAVAILABLE, INTERNAL
 * @param message       human-readable cause
 */
@Topic(Topics.GENERATION_FAILED)
public record GenerationFailed(String generationId, String code, String message) implements Payload {
}
