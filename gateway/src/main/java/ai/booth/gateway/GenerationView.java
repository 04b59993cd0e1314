package ai.booth.gateway;

import ai.booth.contracts.GenerationCompleted;
import ai.booth.contracts.GenerationFailed;
import ai.booth.contracts.GenerationRequested;

/**
 * A generation as the API shows it.
 *
 * @param generationId  id of the request
 * @param ownerId       the owner it belongs to
 * @param status        REQUESTED, COMPLETED or FAILED
 * @param request       what was asked, defaults applied (null after a gateway restart)
 * @param result        the images, once COMPLETED
 * @param failure       the reason, once FAILED
 */
public record GenerationView(String generationId, String ownerId, JobStatus status, GenerationRequested request,
                             GenerationCompleted result, GenerationFailed failure) implements Views.Owned {

    static GenerationView unknown(String generationId, String ownerId) {
        return new GenerationView(generationId, ownerId, JobStatus.REQUESTED, null, null, null);
    }
}
