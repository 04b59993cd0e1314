package ai.booth.gateway.job;

import ai.booth.gateway.http.Problem;
import ai.booth.gateway.http.ProblemException;
import ai.booth.keys.Secrets;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * {@code Idempotency-Key} on job-creating calls: the job id is derived from the owner and the key, so a retried call
 * finds the job it created before — also after a gateway restart, since the views are rebuilt from Kafka. The same
 * key with the same body answers 200 with that job; with another body, 409.
 */
public final class Idempotency {

    public static final String HEADER = "Idempotency-Key";
    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7e]{1,255}");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A new random id without a key; with one, the same id for the same owner, kind and key. */
    public static String jobId(String kind, String ownerId, String idempotencyKey) {
        if (idempotencyKey == null) {
            return UUID.randomUUID().toString();
        }
        if (!KEY.matcher(idempotencyKey).matches()) {
            throw ProblemException.invalid(List.of(new Problem.FieldError(HEADER,
                    "must be 1-255 visible ASCII characters")));
        }
        return UUID.nameUUIDFromBytes((kind + "\n" + ownerId + "\n" + idempotencyKey)
                .getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** SHA-256 of the request body as parsed (so formatting does not matter, field values do). */
    public static String hash(Object body) {
        try {
            return Secrets.sha256(JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot hash request " + body, e);
        }
    }

    /**
     * The job this key already created, if any: present when it was created with the same body; a 409 problem when
     * with another one.
     */
    public static <V extends Views.Job> Optional<V> replay(Optional<V> existing, String hash, String idempotencyKey) {
        existing.ifPresent(view -> {
            if (!hash.equals(view.meta().requestHash())) {
                throw ProblemException.conflict("idempotency-key-reused", HEADER + " '" + idempotencyKey
                        + "' was used for job " + view.id() + " with a different request body");
            }
        });
        return existing;
    }

    private Idempotency() {
    }
}
