package ai.booth.gateway.generation;

import ai.booth.contracts.GenerationCompleted;
import ai.booth.contracts.GenerationFailed;
import ai.booth.contracts.GenerationRequested;
import ai.booth.gateway.job.JobRegistry;
import jakarta.enterprise.context.ApplicationScoped;

/** Generations as the API shows them, from their request and result topics. */
@ApplicationScoped
public class GenerationRegistry extends JobRegistry<GenerationView> {

    GenerationRegistry() {
        super(GenerationView::unknown, new Transitions<GenerationView>()
                .requested(GenerationRequested.class, GenerationRequested::generationId, GenerationView::requested)
                .on(GenerationCompleted.class, GenerationCompleted::generationId, GenerationView::completed)
                .on(GenerationFailed.class, GenerationFailed::generationId, GenerationView::failed));
    }
}
