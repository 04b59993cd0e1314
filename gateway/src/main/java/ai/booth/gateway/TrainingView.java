package ai.booth.gateway;

import ai.booth.contracts.TrainingCompleted;
import ai.booth.contracts.TrainingFailed;
import ai.booth.contracts.TrainingProgress;
import ai.booth.contracts.TrainingRequested;

/**
 * A training as the API shows it.
 *
 * @param trainingId  id of the job
 * @param ownerId     the owner it belongs to
 * @param status      where it is
 * @param request     what was asked, defaults applied (null after a gateway restart until re-sent)
 * @param progress    the latest progress report, if any
 * @param result      the adapter and its facts, once COMPLETED
 * @param failure     the reason, once FAILED
 */
public record TrainingView(String trainingId, String ownerId, JobStatus status, TrainingRequested request,
                           TrainingProgress progress, TrainingCompleted result, TrainingFailed failure)
        implements Views.Owned {

    static TrainingView unknown(String trainingId, String ownerId) {
        return new TrainingView(trainingId, ownerId, JobStatus.REQUESTED, null, null, null, null);
    }
}
