package ai.booth.gateway.generation;

import ai.booth.contracts.Event;
import ai.booth.contracts.GenerationRequested;
import ai.booth.contracts.Topics;
import ai.booth.gateway.auth.Caller;
import ai.booth.gateway.job.JobMeta;
import ai.booth.gateway.job.RequestedJobService;
import ai.booth.gateway.job.JobStarter;
import ai.booth.gateway.job.Links;
import ai.booth.gateway.job.ViewHistory;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

import java.time.Instant;

/** Generations as a job kind: a checked {@link GenerationSpec} becomes GenerationRequested. */
@Singleton // not a client proxy: JobService has no no-args constructor, and nothing here needs laziness
public class GenerationService extends RequestedJobService<GenerationSpec, GenerationRequested, GenerationView> {

    private final GenerationRequests requests;
    private final Links links;

    public GenerationService(GenerationRegistry registry, GenerationRequests requests, Caller caller,
                             JobStarter starter, ViewHistory history, Links links,
                             @Channel(Topics.GENERATION_REQUESTED) Emitter<Event<?>> requested) {
        super("generations", "generation", registry, caller, starter, history, requested);
        this.requests = requests;
        this.links = links;
    }

    @Override
    protected GenerationRequested request(GenerationSpec spec, String id, String ownerId) {
        return requests.build(spec, id, ownerId);
    }

    @Override
    protected GenerationView requested(String id, String ownerId, Instant at, GenerationRequested request,
                                       JobMeta meta) {
        return GenerationView.unknown(id, ownerId, at).requested(at, request, meta);
    }

    @Override
    protected String callbackUrl(GenerationSpec spec) {
        return spec.callbackUrl();
    }

    @Override
    public GenerationView render(GenerationView view) {
        return view.withUrls(links);
    }
}
