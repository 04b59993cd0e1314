package ai.booth.gateway.job;

import ai.booth.gateway.auth.Caller;
import ai.booth.gateway.auth.RateLimits;
import ai.booth.gateway.http.ProblemException;
import ai.booth.contracts.Event;
import ai.booth.contracts.Payload;
import ai.booth.gateway.GatewayConfig;
import ai.booth.service.EventMessages;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.reactive.messaging.Emitter;

import java.net.URI;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * How every job-creating call goes: an idempotent replay answers 200 with the existing job; otherwise the request
 * spends a token of the caller's rate limit (also when the request then fails validation: checking costs work, and
 * a free 400 would let a key hammer the validators) and must fit the owner's {@link JobQuota}, is checked, spends
 * the rest of its {@link JobCost}, the new view is stored (so the caller can read it at once), and the request event
 * published with the job's {@link JobMeta} and this replica's {@link ReplicaCharges} stamp as headers; the answer is
 * 202 with the view and Location once Kafka has the event. If publishing fails the view is dropped again, so a retry
 * with the same Idempotency-Key starts afresh.
 */
@ApplicationScoped
public class JobStarter {

    /** A checked request: the job's first view and the event that starts it. */
    public record Job<V>(V view, Event<?> event) {
    }

    private final Caller caller;
    private final RateLimits rateLimits;
    private final JobQuota quota;
    private final ReplicaCharges replicaCharges;
    private final ViewHistory history;
    private final int passesPerToken;

    public JobStarter(Caller caller, RateLimits rateLimits, JobQuota quota, ReplicaCharges replicaCharges,
                      ViewHistory history, GatewayConfig config) {
        this.caller = caller;
        this.rateLimits = rateLimits;
        this.quota = quota;
        this.replicaCharges = replicaCharges;
        this.history = history;
        this.passesPerToken = config.unetPassesPerToken();
    }

    /**
     * A replica that has not read the job history yet (just restarted, or the broker not reachable) cannot tell
     * whether an Idempotency-Key's job exists, nor count the owner's jobs: it answers 503 with Retry-After, and the
     * client's retry starts the job once (a load balancer sends it elsewhere: this replica is not ready either).
     */
    private void requireHistory() {
        history.require("start jobs");
    }

    /** Spends the rest of a checked request's cost: one token per {@code unet-passes-per-token}, at least one. */
    private void charge(Payload request) {
        double passes = JobCost.passes(request);
        long cost = JobCost.tokens(request, passesPerToken);
        rateLimits.spend(caller.key(), cost, 1, "; this request costs " + cost + " tokens (one per " + passesPerToken
                + " UNet passes at 512², its own " + Math.round(passes) + ")");
    }

    /**
     * Starts a job of a JSON request: {@code build} checks the body (throwing the 400 problem) and makes the job
     * from its id and meta.
     */
    public <V extends Views.Job> CompletionStage<Response> start(String collection, String idempotencyKey, Object body,
                                                        String callbackUrl, Views<V> views,
                                                        BiFunction<String, JobMeta, Job<V>> build,
                                                        Emitter<Event<?>> emitter, Function<V, Object> render) {
        requireHistory();
        String ownerId = caller.ownerId();
        String id = Idempotency.jobId(collection, ownerId, idempotencyKey);
        String hash = Idempotency.hash(body);
        Optional<V> earlier = Idempotency.replay(views.find(id, ownerId), hash, idempotencyKey);
        if (earlier.isPresent()) {
            return CompletableFuture.completedFuture(replayed(earlier.get(), render));
        }
        admit(collection, views, id);
        Job<V> job = build.apply(id, new JobMeta(caller.key().id(), callbackUrl, hash));
        charge(job.event().payload());
        return publish(views, job, emitter, "/api/v1/" + collection + "/" + id, idempotencyKey, render);
    }

    /**
     * Before a request is read or checked: spends a token of the caller's rate limit and, unless job {@code id}
     * exists already (its Idempotency-Key used again), checks the owner's quota of unfinished jobs (429 problems).
     */
    public void admit(String collection, Views<?> views, String id) {
        requireHistory();
        rateLimits.spend(caller.key());
        if (views.get(id).isEmpty()) {
            quota.check(caller.key(), collection, views);
        }
    }

    /** Stores the job's view and publishes its event (the last step of {@link #start}, and of uploads). */
    public <V extends Views.Job> CompletionStage<Response> publish(Views<V> views, Job<V> job, Emitter<Event<?>> emitter,
                                                          String location, String idempotencyKey,
                                                          Function<V, Object> render) {
        V fresh = job.view();
        Optional<V> raced = views.claim(fresh);
        if (raced.isPresent()) { // the same Idempotency-Key, a moment earlier
            return CompletableFuture.completedFuture(replayed(Idempotency.replay(raced, fresh.meta().requestHash(),
                    idempotencyKey).get(), render));
        }
        return EventMessages.send(emitter, job.event(), replicaCharges.stamp(fresh.meta().toHeaders()))
                .thenApply(acked -> Response.accepted(render.apply(fresh)).location(URI.create(location)).build())
                .whenComplete((response, failure) -> {
                    if (failure != null) {
                        views.remove(fresh.id());
                    }
                });
    }

    public static <V> Response replayed(V existing, Function<V, Object> render) {
        return Response.ok(render.apply(existing)).header("Idempotent-Replayed", "true").build();
    }
}
