package ai.booth.gateway.job;

import ai.booth.contracts.Event;
import ai.booth.contracts.Payload;
import ai.booth.gateway.auth.Caller;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.reactive.messaging.Emitter;

import java.time.Instant;
import java.util.concurrent.CompletionStage;

/**
 * A job kind started by a JSON POST: spec (the body) → request event → view. Creating (idempotency, rate limit,
 * checks, publishing: {@link JobStarter}) works the same for every kind; a kind says only how its spec is checked
 * into a request and what its first view is, so a new kind (experiments, evaluations) is one small subclass.
 *
 * @param <S> the POST body
 * @param <R> the request event's payload
 * @param <V> the view the API shows
 */
public abstract class RequestedJobService<S, R extends Payload, V extends Views.Job> extends JobService<V> {

    private final String collection;
    private final JobRegistry<V> registry;
    private final JobStarter starter;
    private final Emitter<Event<?>> requested;

    /**
     * @param collection the path segment under /api/v1/ (also part of idempotent job ids: never change it)
     * @param noun       the job in problem details ("no such generation")
     */
    protected RequestedJobService(String collection, String noun, JobRegistry<V> registry, Caller caller,
                                  JobStarter starter, ViewHistory history, Emitter<Event<?>> requested) {
        super(noun, registry, caller, history);
        this.collection = collection;
        this.registry = registry;
        this.starter = starter;
        this.requested = requested;
    }

    /** Checks every field of {@code spec} (throwing the 400 problem) and applies the defaults. */
    protected abstract R request(S spec, String id, String ownerId);

    /** The job's view the moment it is requested. */
    protected abstract V requested(String id, String ownerId, Instant at, R request, JobMeta meta);

    /** Where the spec asks its result to be POSTed, or null. */
    protected abstract String callbackUrl(S spec);

    /** 202 with the new job, or 200 with the one this Idempotency-Key created before. */
    public CompletionStage<Response> create(String idempotencyKey, S spec) {
        return starter.start(collection, idempotencyKey, spec, spec == null ? null : callbackUrl(spec),
                registry.views(), (id, meta) -> {
                    String ownerId = caller().ownerId();
                    R request = request(spec, id, ownerId);
                    return new JobStarter.Job<>(requested(id, ownerId, Instant.now(), request, meta),
                            Event.of(id, ownerId, request));
                }, requested, this::render);
    }
}
