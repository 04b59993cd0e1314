package ai.booth.gateway.evaluation;

import ai.booth.gateway.job.RequestedJobEndpoints;
import jakarta.ws.rs.Path;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Evaluations: the DreamBooth paper's scores of generations against a subject's photos, computed by a sampler with
 * the installed encoders. Create, list and get are every requested job's ({@link RequestedJobEndpoints}); their texts
 * are in openapi-jobs.properties.
 */
@Path("/api/v1/evaluations")
@Tag(name = "evaluations")
public class EvaluationResource extends RequestedJobEndpoints<EvaluationSpec, EvaluationView, EvaluationService> {

    public EvaluationResource(EvaluationService evaluations) {
        super(evaluations);
    }
}
