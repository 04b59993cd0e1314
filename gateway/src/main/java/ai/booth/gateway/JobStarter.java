package ai.booth.gateway;

import ai.booth.contracts.Event;
import ai.booth.service.EventMessages;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.reactive.messaging.Emitter;

import java.net.URI;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * How every job-creating call ends: the new view is stored (so the caller can read it at once), the request event
 * is published with the job's {@link JobMeta} as headers, and the answer is 202 with the view and Location once
 * Kafka has the event. If publishing fails the view is dropped again, so a retry with the same Idempotency-Key
 * starts afresh. An idempotent replay answers 200 with the existing job.
 */
@ApplicationScoped
public class JobStarter {

    <V extends Views.Job> CompletionStage<Response> publish(Views<V> views, V fresh, Event<?> event,
                                                          Emitter<Event<?>> emitter, String location,
                                                          String idempotencyKey, Function<V, Object> render) {
        Optional<V> raced = views.claim(fresh);
        if (raced.isPresent()) { // the same Idempotency-Key, a moment earlier
            return CompletableFuture.completedFuture(replayed(Idempotency.replay(raced, fresh.meta().requestHash(),
                    idempotencyKey).get(), render));
        }
        return EventMessages.send(emitter, event, fresh.meta().toHeaders())
                .thenApply(acked -> Response.accepted(render.apply(fresh)).location(URI.create(location)).build())
                .whenComplete((response, failure) -> {
                    if (failure != null) {
                        views.remove(fresh.id());
                    }
                });
    }

    static <V> Response replayed(V existing, Function<V, Object> render) {
        return Response.ok(render.apply(existing)).header("Idempotent-Replayed", "true").build();
    }
}
