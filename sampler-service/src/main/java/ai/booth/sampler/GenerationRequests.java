package ai.booth.sampler;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.Event;
import ai.booth.contracts.GenerationFailed;
import ai.booth.contracts.GenerationRequested;
import ai.booth.contracts.LoraRef;
import ai.booth.contracts.Topics;
import ai.booth.service.EventMessages;
import ai.booth.service.ObjectStore;
import ai.booth.service.SeenEvents;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;

/**
 * Admits generation requests: checks the fields, the base model and every LoRA adapter. This build has no
 * sampling engine wired in, so an admissible request ends as GenerationFailed(ENGINE_UNAVAILABLE).
 */
@ApplicationScoped
public class GenerationRequests {

    private static final Logger LOG = Logger.getLogger(GenerationRequests.class);

    private final ObjectStore store;
    private final SeenEvents seen;
    private final Emitter<Event<?>> failed;

    public GenerationRequests(ObjectStore store, SeenEvents seen,
                              @Channel(Topics.GENERATION_FAILED) Emitter<Event<?>> failed) {
        this.store = store;
        this.seen = seen;
        this.failed = failed;
    }

    @Incoming(Topics.GENERATION_REQUESTED)
    @Blocking(ordered = false)
    void onRequested(Event<GenerationRequested> event) {
        if (!seen.firstTime(event)) {
            return;
        }
        GenerationRequested request = event.payload();
        GenerationFailed outcome = admit(request);
        LOG.infof("generation %s of %s: %s", request.generationId(), event.ownerId(), outcome.code());
        EventMessages.send(failed, event.next(outcome)).toCompletableFuture().join();
    }

    private GenerationFailed admit(GenerationRequested request) {
        List<String> problems = problems(request);
        if (!problems.isEmpty()) {
            return new GenerationFailed(request.generationId(), "INVALID_REQUEST", String.join("; ", problems));
        }
        if (!store.hasPrefix(Buckets.MODELS, Buckets.modelPrefix(request.baseModel()))) {
            return new GenerationFailed(request.generationId(), "MODEL_NOT_FOUND", "base model '"
                    + request.baseModel() + "' is not in bucket " + Buckets.MODELS);
        }
        for (LoraRef lora : request.loras()) {
            if (!store.exists(Buckets.ADAPTERS, lora.adapterKey())) {
                return new GenerationFailed(request.generationId(), "ADAPTER_NOT_FOUND", "adapter '"
                        + lora.adapterKey() + "' is not in bucket " + Buckets.ADAPTERS);
            }
        }
        return new GenerationFailed(request.generationId(), "ENGINE_UNAVAILABLE",
                "this sampler-service build has no sampling engine");
    }

    /** Field rules that need no lookups; each problem names the field and its value. */
    static List<String> problems(GenerationRequested r) {
        List<String> problems = new ArrayList<>();
        if (r.steps() <= 0) {
            problems.add("steps must be > 0, got " + r.steps());
        }
        if (r.count() <= 0 && r.grid() == null) {
            problems.add("count must be > 0, got " + r.count());
        }
        if (r.width() < 64 || r.width() % 8 != 0 || r.height() < 64 || r.height() % 8 != 0) {
            problems.add("width and height must be multiples of 8 and at least 64, got " + r.width() + "x"
                    + r.height());
        }
        if (!(r.guidanceScale() >= 0)) {
            problems.add("guidanceScale must be >= 0, got " + r.guidanceScale());
        }
        if (r.clipSkip() < 0) {
            problems.add("clipSkip must be >= 0, got " + r.clipSkip());
        }
        if (r.prompt().isBlank()) {
            problems.add("prompt must not be blank");
        }
        return problems;
    }
}
