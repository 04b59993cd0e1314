package ai.booth.diffusion.pipeline;

import java.time.Duration;

/** Called after every denoising step of a run (all images and sweep cells of one call counted together). */
@FunctionalInterface
public interface StepListener {

    StepListener NONE = (step, totalSteps, timestep, elapsed) -> { };

    /**
     * @param step       steps done so far in this call, 1..totalSteps
     * @param totalSteps model evaluations of the whole call (timesteps × images, summed over requests)
     * @param timestep   the timestep just evaluated
     * @param elapsed    time since the call started
     */
    void onStep(int step, int totalSteps, float timestep, Duration elapsed);
}
