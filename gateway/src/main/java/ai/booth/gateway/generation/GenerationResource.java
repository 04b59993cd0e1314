package ai.booth.gateway.generation;

import ai.booth.gateway.job.RequestedJobEndpoints;
import jakarta.ws.rs.Path;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Generations: images from a base model and optional LoRA adapters, single or as a grid. Create, list and get are
 * every requested job's ({@link RequestedJobEndpoints}); their texts are in openapi-jobs.properties.
 */
@Path("/api/v1/generations")
@Tag(name = "generations")
public class GenerationResource extends RequestedJobEndpoints<GenerationSpec, GenerationView, GenerationService> {

    public GenerationResource(GenerationService generations) {
        super(generations);
    }
}
