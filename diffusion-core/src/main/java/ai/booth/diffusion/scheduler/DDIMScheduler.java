package ai.booth.diffusion.scheduler;

import ai.booth.diffusion.runtime.NoiseSource;
import ai.djl.ndarray.NDArray;

import java.util.Map;

/**
 * DDIM (Song et al. 2020) as diffusers 0.21 {@code DDIMScheduler}: deterministic at eta 0; the step jumps from t to
 * t − T/steps, and the last step lands on ᾱ = 1 ({@code set_alpha_to_one}) or on ᾱ₀. {@code eta} (a step argument
 * in diffusers) is a parameter here, 0 unless overridden; eta &gt; 0 adds noise from the run's generator.
 */
public final class DDIMScheduler extends BaseScheduler {

    static final Map<String, Object> DEFAULTS = SchedulerConfig.defaults(
            "num_train_timesteps", 1000, "beta_start", 0.0001, "beta_end", 0.02, "beta_schedule", "linear",
            "trained_betas", null, "clip_sample", true, "set_alpha_to_one", true, "steps_offset", 0,
            "prediction_type", "epsilon", "thresholding", false, "dynamic_thresholding_ratio", 0.995,
            "clip_sample_range", 1.0, "sample_max_value", 1.0, "timestep_spacing", "leading",
            "rescale_betas_zero_snr", false, "eta", 0.0);

    private final float finalAlphaCumprod;
    private final String prediction;
    private final float eta;

    /** From a config resolved for this class ({@link Schedulers#create} does that). */
    DDIMScheduler(SchedulerConfig config) {
        super(config, rescaled(config));
        this.finalAlphaCumprod = config.flag("set_alpha_to_one") ? 1f : schedule.alphaCumprod(0);
        this.prediction = config.choice("prediction_type", Prediction.TYPES);
        this.eta = (float) config.number("eta");
    }

    private static NoiseSchedule rescaled(SchedulerConfig config) {
        NoiseSchedule schedule = NoiseSchedule.fromConfig(config);
        return config.flag("rescale_betas_zero_snr") ? schedule.rescaledToZeroTerminalSnr() : schedule;
    }

    @Override
    public NDArray step(NDArray modelOutput, float timestep, NDArray sample, NoiseSource noise) {
        requireTimesteps();
        int t = trainingStep(timestep);
        int prev = t - trainSteps / steps;
        float alphaProd = schedule.alphaCumprod(t);
        float alphaProdPrev = prev >= 0 ? schedule.alphaCumprod(prev) : finalAlphaCumprod;
        float betaProd = 1 - alphaProd;
        try (StepScope scope = new StepScope(sample, modelOutput)) {
            NDArray x0 = Prediction.originalSample(prediction, modelOutput, sample, alphaProd);
            NDArray eps = switch (prediction) {
                case "epsilon" -> modelOutput;
                case "v_prediction" -> modelOutput.mul((float) Math.sqrt(alphaProd))
                        .add(sample.mul((float) Math.sqrt(betaProd)));
                default -> sample.sub(x0.mul((float) Math.sqrt(alphaProd))).div((float) Math.sqrt(betaProd));
            };
            x0 = Prediction.limit(config, x0);
            float betaProdPrev = 1 - alphaProdPrev;
            float variance = (betaProdPrev / betaProd) * (1 - alphaProd / alphaProdPrev);
            float stdDev = eta * (float) Math.sqrt(variance);
            NDArray direction = eps.mul((float) Math.sqrt(1 - alphaProdPrev - stdDev * stdDev));
            NDArray prevSample = x0.mul((float) Math.sqrt(alphaProdPrev)).add(direction);
            if (eta > 0) {
                if (noise == null) {
                    throw new IllegalArgumentException("DDIM with eta " + eta + " needs a noise source");
                }
                NDArray z = noise.randn(scope.manager(), sample.getShape()).toDevice(sample.getDevice(), false)
                        .toType(sample.getDataType(), false);
                prevSample = prevSample.add(z.mul(stdDev));
            }
            return scope.keep(prevSample);
        }
    }
}
