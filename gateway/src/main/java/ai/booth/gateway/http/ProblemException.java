package ai.booth.gateway.http;

import jakarta.ws.rs.core.Response;

import java.util.List;
import java.util.Map;

/** An error answer: thrown anywhere in the API, turned into a {@link Problem} by {@link ProblemMapper}. */
public class ProblemException extends RuntimeException {

    private static final String TYPES = "https://booth.ai/problems/";

    private final int status;
    private final String type;
    private final String title;
    private final List<Problem.FieldError> errors;
    private final Map<String, String> headers;

    ProblemException(int status, String type, String title, String detail, List<Problem.FieldError> errors,
                     Map<String, String> headers) {
        super(detail);
        this.status = status;
        this.type = type;
        this.title = title;
        this.errors = List.copyOf(errors);
        this.headers = Map.copyOf(headers);
    }

    public static ProblemException of(Response.Status status, String detail) {
        return new ProblemException(status.getStatusCode(), "about:blank", status.getReasonPhrase(), detail,
                List.of(), Map.of());
    }

    public static ProblemException invalid(List<Problem.FieldError> errors) {
        String detail = errors.size() == 1 ? errors.get(0).field() + ": " + errors.get(0).message()
                : errors.size() + " fields are invalid: " + String.join(", ",
                errors.stream().map(Problem.FieldError::field).distinct().toList());
        return new ProblemException(400, TYPES + "validation", "Invalid request", detail, errors, Map.of());
    }

    /** The same answer for ids that do not exist and ids of other owners: existence never leaks. */
    public static ProblemException notFound(String what, String id) {
        return of(Response.Status.NOT_FOUND, "no " + what + " '" + id + "'");
    }

    public static ProblemException conflict(String type, String detail) {
        return new ProblemException(409, TYPES + type, "Conflict", detail, List.of(), Map.of());
    }

    public static ProblemException unauthorized(String detail) {
        return new ProblemException(401, TYPES + "unauthorized", "Unauthorized", detail, List.of(),
                Map.of("WWW-Authenticate", "Bearer realm=\"booth\""));
    }

    public static ProblemException forbidden(String detail) {
        return new ProblemException(403, TYPES + "forbidden", "Forbidden", detail, List.of(), Map.of());
    }

    public static ProblemException tooLarge(String detail) {
        return new ProblemException(413, TYPES + "too-large", "Payload too large", detail, List.of(), Map.of());
    }

    public static ProblemException rateLimited(String detail, long retryAfterSeconds) {
        return new ProblemException(429, TYPES + "rate-limited", "Too many requests", detail, List.of(),
                Map.of("Retry-After", String.valueOf(retryAfterSeconds)));
    }

    /** Another 429 than the rate limit's (a quota, open streams): its own type and title. */
    public static ProblemException limited(String type, String title, String detail, long retryAfterSeconds) {
        return new ProblemException(429, TYPES + type, title, detail, List.of(),
                Map.of("Retry-After", String.valueOf(retryAfterSeconds)));
    }

    /** 503: this replica cannot serve the call yet, another (or this one shortly) can. */
    public static ProblemException unavailable(String type, String detail, long retryAfterSeconds) {
        return new ProblemException(503, TYPES + type, "Service unavailable", detail, List.of(),
                Map.of("Retry-After", String.valueOf(retryAfterSeconds)));
    }

    public Problem problem(String instance) {
        return new Problem(type, title, status, getMessage(), instance, errors);
    }

    public int status() {
        return status;
    }

    /** The fields a 400 names (empty for other problems). */
    public List<Problem.FieldError> errors() {
        return errors;
    }

    Map<String, String> headers() {
        return headers;
    }
}
