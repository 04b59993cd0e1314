package ai.booth.diffusion.scheduler;

import ai.booth.diffusion.runtime.NoiseSource;
import ai.djl.ndarray.NDArray;

import java.util.List;
import java.util.Map;

/**
 * DDPM (Ho et al. 2020) as diffusers 0.21 {@code DDPMScheduler}: the noise schedule a model is trained on
 * ({@link #addNoise}, {@link #getVelocity}), and ancestral sampling with the posterior variance ("fixed_small",
 * "fixed_small_log") or β_t ("fixed_large"). The learned variances need a model that predicts them and are not
 * offered.
 */
public final class DDPMScheduler extends BaseScheduler {

    static final Map<String, Object> DEFAULTS = SchedulerConfig.defaults(
            "num_train_timesteps", 1000, "beta_start", 0.0001, "beta_end", 0.02, "beta_schedule", "linear",
            "trained_betas", null, "variance_type", "fixed_small", "clip_sample", true,
            "prediction_type", "epsilon", "thresholding", false, "dynamic_thresholding_ratio", 0.995,
            "clip_sample_range", 1.0, "sample_max_value", 1.0, "timestep_spacing", "leading", "steps_offset", 0);

    private static final List<String> VARIANCES = List.of("fixed_small", "fixed_small_log", "fixed_large");

    private final String prediction;
    private final String varianceType;

    /** From a config resolved for this class ({@link Schedulers#create} does that). */
    DDPMScheduler(SchedulerConfig config) {
        super(config, NoiseSchedule.fromConfig(config));
        this.prediction = config.choice("prediction_type", Prediction.TYPES);
        this.varianceType = config.choice("variance_type", VARIANCES);
        this.steps = trainSteps;
    }

    @Override
    public NDArray step(NDArray modelOutput, float timestep, NDArray sample, NoiseSource noise) {
        int t = trainingStep(timestep);
        int prev = t - trainSteps / steps;
        float alphaProd = schedule.alphaCumprod(t);
        float alphaProdPrev = prev >= 0 ? schedule.alphaCumprod(prev) : 1f;
        float betaProd = 1 - alphaProd;
        float betaProdPrev = 1 - alphaProdPrev;
        float currentAlpha = alphaProd / alphaProdPrev;
        float currentBeta = 1 - currentAlpha;
        try (StepScope scope = new StepScope(sample, modelOutput)) {
            NDArray x0 = Prediction.limit(config,
                    Prediction.originalSample(prediction, modelOutput, sample, alphaProd));
            float x0Coeff = (float) Math.sqrt(alphaProdPrev) * currentBeta / betaProd;
            float sampleCoeff = (float) Math.sqrt(currentAlpha) * betaProdPrev / betaProd;
            NDArray prevSample = x0.mul(x0Coeff).add(sample.mul(sampleCoeff));
            if (t > 0) {
                if (noise == null) {
                    throw new IllegalArgumentException("DDPM sampling draws noise every step: pass the run's "
                            + "generator");
                }
                NDArray z = noise.randn(scope.manager(), sample.getShape()).toDevice(sample.getDevice(), false)
                        .toType(sample.getDataType(), false);
                prevSample = prevSample.add(z.mul(noiseScale(alphaProd, alphaProdPrev, currentBeta)));
            }
            return scope.keep(prevSample);
        }
    }

    /** The standard deviation of the added noise for {@code variance_type}. */
    private float noiseScale(float alphaProd, float alphaProdPrev, float currentBeta) {
        float variance = Math.max((1 - alphaProdPrev) / (1 - alphaProd) * currentBeta, 1e-20f);
        return switch (varianceType) {
            case "fixed_small" -> (float) Math.sqrt(variance);
            case "fixed_small_log" -> (float) Math.exp(0.5f * (float) Math.log(variance));
            default -> (float) Math.sqrt(currentBeta);
        };
    }
}
