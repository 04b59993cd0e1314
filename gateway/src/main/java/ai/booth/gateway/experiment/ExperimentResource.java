package ai.booth.gateway.experiment;

import ai.booth.gateway.job.RequestedJobEndpoints;
import jakarta.ws.rs.Path;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Experiments: variants of one training compared side by side. Create, list and get are every requested job's
 * ({@link RequestedJobEndpoints}); their texts are in openapi-jobs.properties.
 */
@Path("/api/v1/experiments")
@Tag(name = "experiments")
public class ExperimentResource extends RequestedJobEndpoints<ExperimentSpec, ExperimentView, ExperimentService> {

    public ExperimentResource(ExperimentService experiments) {
        super(experiments);
    }
}
