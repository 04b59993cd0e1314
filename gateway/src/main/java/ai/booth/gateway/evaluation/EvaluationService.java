package ai.booth.gateway.evaluation;

import ai.booth.contracts.EvaluationRequested;
import ai.booth.contracts.Event;
import ai.booth.contracts.Topics;
import ai.booth.gateway.auth.Caller;
import ai.booth.gateway.job.JobMeta;
import ai.booth.gateway.job.JobStarter;
import ai.booth.gateway.job.RequestedJobService;
import ai.booth.gateway.job.ViewHistory;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

import java.time.Instant;

/** Evaluations as a job kind: a checked {@link EvaluationSpec} becomes EvaluationRequested. */
@Singleton // not a client proxy: JobService has no no-args constructor, and nothing here needs laziness
public class EvaluationService extends RequestedJobService<EvaluationSpec, EvaluationRequested, EvaluationView> {

    private final EvaluationRequests requests;

    public EvaluationService(EvaluationRegistry registry, EvaluationRequests requests, Caller caller,
                             JobStarter starter, ViewHistory history,
                             @Channel(Topics.EVALUATION_REQUESTED) Emitter<Event<?>> requested) {
        super("evaluations", "evaluation", registry, caller, starter, history, requested);
        this.requests = requests;
    }

    @Override
    protected EvaluationRequested request(EvaluationSpec spec, String id, String ownerId) {
        return requests.build(spec, id, ownerId);
    }

    @Override
    protected EvaluationView requested(String id, String ownerId, Instant at, EvaluationRequested request,
                                       JobMeta meta) {
        return EvaluationView.unknown(id, ownerId, at).requested(at, request, meta);
    }

    @Override
    protected String callbackUrl(EvaluationSpec spec) {
        return spec.callbackUrl();
    }

    @Override
    public EvaluationView render(EvaluationView view) {
        return view;
    }
}
