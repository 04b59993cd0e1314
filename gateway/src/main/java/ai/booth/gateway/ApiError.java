package ai.booth.gateway;

/**
 * The body of every 4xx answer.
 *
 * @param error  what was wrong with the request, naming the field or header
 */
public record ApiError(String error) {
}
