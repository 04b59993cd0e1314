package ai.booth.diffusion.train;

/**
 * Where a job is after an optimizer step.
 *
 * @param step         optimizer steps done (1-based after the first)
 * @param totalSteps   steps the job runs
 * @param loss         loss of the step (mean over its micro-batches)
 * @param lossInstance instance term
 * @param lossPrior    prior-preservation term (NaN without prior preservation)
 * @param lr           UNet learning rate used by the step
 * @param itPerSec     optimizer steps per second since the run (or resume) started
 * @param etaSeconds   estimated seconds to the last step
 */
public record StepProgress(int step, int totalSteps, float loss, float lossInstance, float lossPrior, double lr,
                               double itPerSec, double etaSeconds) {
}
