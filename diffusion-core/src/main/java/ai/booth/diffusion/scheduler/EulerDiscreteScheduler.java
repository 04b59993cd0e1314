package ai.booth.diffusion.scheduler;

import ai.booth.diffusion.runtime.NoiseSource;
import ai.djl.ndarray.NDArray;

import java.util.List;
import java.util.Map;

/**
 * Euler's method on the probability-flow ODE (Karras et al. 2022, Algorithm 2 without churn) as diffusers 0.21
 * {@code EulerDiscreteScheduler}: x ← x + (x − x̂₀)/σ_i · (σ_{i+1} − σ_i). Sigmas are interpolated linearly in t
 * ({@code interpolation_type} "linear"), log-linearly ("log_linear"), or respaced by Karras' rule.
 */
public final class EulerDiscreteScheduler extends SigmaScheduler {

    static final Map<String, Object> DEFAULTS = SchedulerConfig.defaults(
            "num_train_timesteps", 1000, "beta_start", 0.0001, "beta_end", 0.02, "beta_schedule", "linear",
            "trained_betas", null, "prediction_type", "epsilon", "interpolation_type", "linear",
            "use_karras_sigmas", false, "timestep_spacing", "linspace", "steps_offset", 0);

    /** From a config resolved for this class ({@link Schedulers#create} does that). */
    EulerDiscreteScheduler(SchedulerConfig config) {
        super(config);
        config.choice("interpolation_type", List.of("linear", "log_linear"));
    }

    @Override
    protected boolean karras() {
        return config.flag("use_karras_sigmas");
    }

    @Override
    protected double[] sigmasAt(double[] t, float[] trainSigmas, int steps) {
        if (config.choice("interpolation_type", List.of("linear", "log_linear")).equals("linear")) {
            return super.sigmasAt(t, trainSigmas, steps);
        }
        // torch.linspace(log σ_max, log σ_min, steps + 1).exp() in float32 (one more sigma than timesteps).
        float[] logs = NoiseSchedule.torchLinspace((float) Math.log(trainSigmas[trainSigmas.length - 1]),
                (float) Math.log(trainSigmas[0]), steps + 1);
        double[] s = new double[logs.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) Math.exp(logs[i]);
        }
        return s;
    }

    @Override
    public NDArray step(NDArray modelOutput, float timestep, NDArray sample, NoiseSource noise) {
        int i = currentIndex(timestep);
        float sigma = sigmas[i];
        try (StepScope scope = new StepScope(sample, modelOutput)) {
            NDArray x0 = originalSample(modelOutput, sample, sigma);
            NDArray derivative = sample.sub(x0).div(sigma);
            float dt = sigmas[i + 1] - sigma;
            NDArray prev = sample.add(derivative.mul(dt));
            advance();
            return scope.keep(prev);
        }
    }
}
