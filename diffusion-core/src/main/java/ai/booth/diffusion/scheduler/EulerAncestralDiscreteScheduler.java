package ai.booth.diffusion.scheduler;

import ai.booth.diffusion.runtime.NoiseSource;
import ai.djl.ndarray.NDArray;

import java.util.Map;

/**
 * Euler ancestral ("Euler a") as diffusers 0.21 {@code EulerAncestralDiscreteScheduler}: an Euler step down to
 * σ_down, then fresh noise of scale σ_up, where σ_up² = σ_{i+1}²(σ_i² − σ_{i+1}²)/σ_i² and
 * σ_down² = σ_{i+1}² − σ_up². Each step draws one noise tensor from the run's generator.
 */
public final class EulerAncestralDiscreteScheduler extends SigmaScheduler {

    static final Map<String, Object> DEFAULTS = SchedulerConfig.defaults(
            "num_train_timesteps", 1000, "beta_start", 0.0001, "beta_end", 0.02, "beta_schedule", "linear",
            "trained_betas", null, "prediction_type", "epsilon", "timestep_spacing", "linspace",
            "steps_offset", 0);

    /** From a config resolved for this class ({@link Schedulers#create} does that). */
    EulerAncestralDiscreteScheduler(SchedulerConfig config) {
        super(config);
        if (prediction.equals("sample")) {
            throw new IllegalArgumentException("EulerAncestralDiscreteScheduler: prediction_type 'sample' is not "
                    + "supported (as in diffusers); use epsilon or v_prediction");
        }
    }

    @Override
    public NDArray step(NDArray modelOutput, float timestep, NDArray sample, NoiseSource noise) {
        int i = currentIndex(timestep);
        if (noise == null) {
            throw new IllegalArgumentException("Euler ancestral draws noise every step: pass the run's generator");
        }
        float sigmaFrom = sigmas[i];
        float sigmaTo = sigmas[i + 1];
        float sigmaUp = (float) Math.sqrt(sigmaTo * sigmaTo * (sigmaFrom * sigmaFrom - sigmaTo * sigmaTo)
                / (sigmaFrom * sigmaFrom));
        float sigmaDown = (float) Math.sqrt(sigmaTo * sigmaTo - sigmaUp * sigmaUp);
        try (StepScope scope = new StepScope(sample, modelOutput)) {
            NDArray x0 = originalSample(modelOutput, sample, sigmaFrom);
            NDArray derivative = sample.sub(x0).div(sigmaFrom);
            NDArray prev = sample.add(derivative.mul(sigmaDown - sigmaFrom));
            NDArray z = noise.randn(scope.manager(), sample.getShape()).toDevice(sample.getDevice(), false)
                    .toType(sample.getDataType(), false);
            prev = prev.add(z.mul(sigmaUp));
            advance();
            return scope.keep(prev);
        }
    }
}
