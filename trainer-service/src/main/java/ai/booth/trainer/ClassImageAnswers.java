package ai.booth.trainer;

import ai.booth.contracts.Event;
import ai.booth.contracts.GenerationCompleted;
import ai.booth.contracts.GenerationFailed;
import ai.booth.contracts.Payload;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hears the sampler's answers to this worker's class-image requests. Every trainer instance reads the generation
 * result topics in a consumer group of its own (from the newest offset), so the instance that asked always hears
 * the answer, whichever partition it lands on.
 */
@ApplicationScoped
public class ClassImageAnswers {

    private final Map<String, CompletableFuture<Payload>> waiting = new ConcurrentHashMap<>();

    /** The answer to generation {@code generationId}, once it arrives; call before publishing the request. */
    CompletableFuture<Payload> expect(String generationId) {
        return waiting.computeIfAbsent(generationId, id -> new CompletableFuture<>());
    }

    void forget(String generationId) {
        waiting.remove(generationId);
    }

    @Incoming("class-images-completed")
    void completed(Event<GenerationCompleted> event) {
        answer(event.correlationId(), event.payload());
    }

    @Incoming("class-images-failed")
    void failed(Event<GenerationFailed> event) {
        answer(event.correlationId(), event.payload());
    }

    private void answer(String generationId, Payload payload) {
        CompletableFuture<Payload> future = waiting.get(generationId);
        if (future != null) {
            future.complete(payload);
        }
    }
}
