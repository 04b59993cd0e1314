package ai.booth.diffusion.scheduler;

import ai.booth.diffusion.runtime.NoiseSource;
import ai.djl.ndarray.NDArray;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DPM-Solver and DPM-Solver++ multistep (Lu et al. 2022) as diffusers 0.21 {@code DPMSolverMultistepScheduler}:
 * exponential integrators in λ = log(α/σ), with α_t = √ᾱ_t and σ_t = √(1−ᾱ_t) taken at integer timesteps. Order 1
 * to 3 from the remembered model outputs, "midpoint" or "heun" second-order terms, deterministic or SDE variants,
 * first-order final steps under 15 steps ({@code lower_order_final}), Karras-spaced timesteps. "DPM++ 2M" is
 * dpmsolver++ at order 2.
 */
public final class DPMSolverMultistepScheduler extends BaseScheduler {

    static final Map<String, Object> DEFAULTS = SchedulerConfig.defaults(
            "num_train_timesteps", 1000, "beta_start", 0.0001, "beta_end", 0.02, "beta_schedule", "linear",
            "trained_betas", null, "solver_order", 2, "prediction_type", "epsilon", "thresholding", false,
            "dynamic_thresholding_ratio", 0.995, "sample_max_value", 1.0, "algorithm_type", "dpmsolver++",
            "solver_type", "midpoint", "lower_order_final", true, "use_karras_sigmas", false,
            "lambda_min_clipped", Double.NEGATIVE_INFINITY, "variance_type", null, "timestep_spacing", "linspace",
            "steps_offset", 0);

    private static final List<String> ALGORITHMS = List.of("dpmsolver", "dpmsolver++", "sde-dpmsolver",
            "sde-dpmsolver++");

    private final float[] alpha;
    private final float[] sigma;
    private final float[] lambda;
    private final String algorithm;
    private final String solverType;
    private final String prediction;
    private final int solverOrder;
    private final boolean dataPrediction;   // ++ variants work on x̂₀, the others on ε
    private final boolean sde;
    private final NDArray[] modelOutputs;
    private int lowerOrderNums;

    /** From a config resolved for this class ({@link Schedulers#create} does that). */
    DPMSolverMultistepScheduler(SchedulerConfig config) {
        super(normalised(config), NoiseSchedule.fromConfig(config));
        this.algorithm = this.config.choice("algorithm_type", ALGORITHMS);
        this.solverType = this.config.choice("solver_type", List.of("midpoint", "heun"));
        this.prediction = this.config.choice("prediction_type", Prediction.TYPES);
        this.solverOrder = this.config.integer("solver_order");
        if (solverOrder < 1 || solverOrder > 3) {
            throw new IllegalArgumentException("DPMSolverMultistepScheduler: solver_order must be 1, 2 or 3, got "
                    + solverOrder);
        }
        if (solverOrder == 3 && algorithm.startsWith("sde")) {
            throw new IllegalArgumentException("DPMSolverMultistepScheduler: " + algorithm
                    + " has no third-order update; use solver_order 2");
        }
        this.dataPrediction = algorithm.endsWith("++");
        this.sde = algorithm.startsWith("sde");
        float[] ac = schedule.alphasCumprod();
        alpha = new float[ac.length];
        sigma = new float[ac.length];
        lambda = new float[ac.length];
        for (int i = 0; i < ac.length; i++) {
            alpha[i] = (float) Math.sqrt(ac[i]);
            sigma[i] = (float) Math.sqrt(1 - ac[i]);
            lambda[i] = (float) Math.log(alpha[i]) - (float) Math.log(sigma[i]);
        }
        modelOutputs = new NDArray[solverOrder];
    }

    /** diffusers maps the DEIS/UniPC names a shared config may carry onto its own: deis → dpmsolver++, etc. */
    private static SchedulerConfig normalised(SchedulerConfig config) {
        Map<String, Object> values = new LinkedHashMap<>(config.values());
        if ("deis".equals(values.get("algorithm_type"))) {
            values.put("algorithm_type", "dpmsolver++");
        }
        if (List.of("logrho", "bh1", "bh2").contains(values.get("solver_type"))) {
            values.put("solver_type", "midpoint");
        }
        return new SchedulerConfig(config.className(), values);
    }

    @Override
    public void setTimesteps(int steps) {
        checkSteps(steps);
        double clip = config.number("lambda_min_clipped");
        int clipped = 0;                   // searchsorted(flip(λ), clip): λ ascends when flipped
        for (int i = lambda.length - 1; i >= 0 && lambda[i] < clip; i--) {
            clipped++;
        }
        int last = trainSteps - clipped;
        double[] t;
        switch (config.choice("timestep_spacing", SPACINGS)) {
            case "linspace" -> t = Arrays.copyOf(
                    Numpy.reverse(Numpy.round(Numpy.linspace(0, last - 1, steps + 1))), steps);
            case "leading" -> {
                int ratio = last / (steps + 1);
                t = new double[steps];
                for (int i = 0; i < steps; i++) {
                    t[i] = (double) (steps - i) * ratio + config.integer("steps_offset");
                }
            }
            default -> t = trailing(last, (double) trainSteps / steps);
        }
        if (config.flag("use_karras_sigmas")) {
            float[] trainSigmas = schedule.sigmas();
            // diffusers 0.21 passes the ascending training sigmas, so the ramp runs from small to large σ;
            // the rounded timesteps are flipped afterwards.
            double[] s = Numpy.karras(trainSigmas[0], trainSigmas[trainSigmas.length - 1], steps);
            t = Numpy.reverse(Numpy.round(Numpy.sigmasToT(s, schedule.logSigmas())));
        }
        timesteps = Arrays.stream(t).distinct().toArray();   // np.unique keeping first occurrences in order
        reset();
    }

    @Override
    public void close() {
        reset();
    }

    private void reset() {
        for (int i = 0; i < modelOutputs.length; i++) {
            if (modelOutputs[i] != null) {
                modelOutputs[i].close();
                modelOutputs[i] = null;
            }
        }
        lowerOrderNums = 0;
    }

    @Override
    public NDArray step(NDArray modelOutput, float timestep, NDArray sample, NoiseSource noise) {
        requireTimesteps();
        if (sde && noise == null) {
            throw new IllegalArgumentException(algorithm + " draws noise every step: pass the run's generator");
        }
        int index = indexOf(timestep, 0);
        if (index < 0) {
            index = timesteps.length - 1;
        }
        int t = trainingStep(timestep);
        int prev = index == timesteps.length - 1 ? 0 : (int) timesteps[index + 1];
        boolean shortRun = config.flag("lower_order_final") && timesteps.length < 15;
        boolean lowerOrderFinal = index == timesteps.length - 1 && shortRun;
        boolean lowerOrderSecond = index == timesteps.length - 2 && shortRun;
        try (StepScope scope = new StepScope(sample, modelOutput)) {
            scope.borrow(Arrays.asList(modelOutputs));
            NDArray converted = convert(modelOutput, t, sample);
            if (modelOutputs[0] != null) {
                modelOutputs[0].close();
            }
            System.arraycopy(modelOutputs, 1, modelOutputs, 0, solverOrder - 1);
            modelOutputs[solverOrder - 1] = converted;
            NDArray z = null;
            if (sde) {
                z = noise.randn(scope.manager(), sample.getShape()).toDevice(sample.getDevice(), false)
                        .toType(sample.getDataType(), false);
            }
            NDArray out;
            if (solverOrder == 1 || lowerOrderNums < 1 || lowerOrderFinal) {
                out = firstOrder(converted, t, prev, sample, z);
            } else if (solverOrder == 2 || lowerOrderNums < 2 || lowerOrderSecond) {
                out = secondOrder(prev, (int) timesteps[index - 1], t, sample, z);
            } else {
                out = thirdOrder(prev, (int) timesteps[index - 2], (int) timesteps[index - 1], t, sample);
            }
            scope.retain(converted);
            if (lowerOrderNums < solverOrder) {
                lowerOrderNums++;
            }
            return scope.keep(out);
        }
    }

    /** The model output as the solver's variable: x̂₀ for the ++ variants, ε for the others. */
    private NDArray convert(NDArray output, int t, NDArray sample) {
        if (prediction.equals("epsilon") && List.of("learned", "learned_range").contains(varianceType())) {
            output = output.get(":, :3");
        }
        float a = alpha[t];
        float s = sigma[t];
        if (dataPrediction) {
            NDArray x0 = switch (prediction) {
                case "epsilon" -> sample.sub(output.mul(s)).div(a);
                case "v_prediction" -> sample.mul(a).sub(output.mul(s));
                default -> output;
            };
            return config.flag("thresholding") ? threshold(x0) : owned(x0, output);
        }
        NDArray eps = switch (prediction) {
            case "epsilon" -> output;
            case "v_prediction" -> output.mul(a).add(sample.mul(s));
            default -> sample.sub(output.mul(a)).div(s);
        };
        if (config.flag("thresholding")) {
            NDArray x0 = threshold(sample.sub(eps.mul(s)).div(a));
            return sample.sub(x0.mul(a)).div(s);
        }
        return owned(eps, output);
    }

    /** The model output itself is the caller's: remember a copy of it. */
    private static NDArray owned(NDArray value, NDArray callers) {
        return value == callers ? value.duplicate() : value;
    }

    private String varianceType() {
        return config.isNull("variance_type") ? "" : config.choice("variance_type",
                List.of("learned", "learned_range"));
    }

    private NDArray threshold(NDArray x0) {
        return Prediction.threshold(x0, config.number("dynamic_thresholding_ratio"),
                config.number("sample_max_value"));
    }

    private NDArray firstOrder(NDArray m, int s, int t, NDArray sample, NDArray z) {
        float h = lambda[t] - lambda[s];
        return switch (algorithm) {
            case "dpmsolver++" -> sample.mul(sigma[t] / sigma[s]).sub(m.mul(alpha[t] * (exp(-h) - 1f)));
            case "dpmsolver" -> sample.mul(alpha[t] / alpha[s]).sub(m.mul(sigma[t] * (exp(h) - 1f)));
            case "sde-dpmsolver++" -> sample.mul(sigma[t] / sigma[s] * exp(-h))
                    .add(m.mul(alpha[t] * (1 - exp(-2f * h))))
                    .add(z.mul(sigma[t] * (float) Math.sqrt(1f - exp(-2 * h))));
            default -> sample.mul(alpha[t] / alpha[s])
                    .sub(m.mul(2f * (sigma[t] * (exp(h) - 1f))))
                    .add(z.mul(sigma[t] * (float) Math.sqrt(exp(2 * h) - 1f)));
        };
    }

    private NDArray secondOrder(int t, int s1, int s0, NDArray sample, NDArray z) {
        NDArray m0 = modelOutputs[solverOrder - 1];
        NDArray m1 = modelOutputs[solverOrder - 2];
        float h = lambda[t] - lambda[s0];
        float h0 = lambda[s0] - lambda[s1];
        float r0 = h0 / h;
        NDArray d0 = m0;
        NDArray d1 = m0.sub(m1).mul(1f / r0);
        boolean midpoint = solverType.equals("midpoint");
        return switch (algorithm) {
            case "dpmsolver++" -> {
                float c = alpha[t] * (exp(-h) - 1f);
                NDArray x = sample.mul(sigma[t] / sigma[s0]).sub(d0.mul(c));
                yield midpoint ? x.sub(d1.mul(0.5f * c))
                        : x.add(d1.mul(alpha[t] * ((exp(-h) - 1f) / h + 1f)));
            }
            case "dpmsolver" -> {
                float c = sigma[t] * (exp(h) - 1f);
                NDArray x = sample.mul(alpha[t] / alpha[s0]).sub(d0.mul(c));
                yield midpoint ? x.sub(d1.mul(0.5f * c))
                        : x.sub(d1.mul(sigma[t] * ((exp(h) - 1f) / h - 1f)));
            }
            case "sde-dpmsolver++" -> {
                float c = alpha[t] * (1 - exp(-2f * h));
                NDArray x = sample.mul(sigma[t] / sigma[s0] * exp(-h)).add(d0.mul(c));
                x = midpoint ? x.add(d1.mul(0.5f * c))
                        : x.add(d1.mul(alpha[t] * ((1f - exp(-2f * h)) / (-2f * h) + 1f)));
                yield x.add(z.mul(sigma[t] * (float) Math.sqrt(1f - exp(-2 * h))));
            }
            default -> {
                float c = sigma[t] * (exp(h) - 1f);
                NDArray x = sample.mul(alpha[t] / alpha[s0]).sub(d0.mul(2f * c));
                x = midpoint ? x.sub(d1.mul(c)) : x.sub(d1.mul(2f * (sigma[t] * ((exp(h) - 1f) / h - 1f))));
                yield x.add(z.mul(sigma[t] * (float) Math.sqrt(exp(2 * h) - 1f)));
            }
        };
    }

    private NDArray thirdOrder(int t, int s2, int s1, int s0, NDArray sample) {
        NDArray m0 = modelOutputs[2];
        NDArray m1 = modelOutputs[1];
        NDArray m2 = modelOutputs[0];
        float h = lambda[t] - lambda[s0];
        float h0 = lambda[s0] - lambda[s1];
        float h1 = lambda[s1] - lambda[s2];
        float r0 = h0 / h;
        float r1 = h1 / h;
        NDArray d10 = m0.sub(m1).mul(1f / r0);
        NDArray d11 = m1.sub(m2).mul(1f / r1);
        NDArray d1 = d10.add(d10.sub(d11).mul(r0 / (r0 + r1)));
        NDArray d2 = d10.sub(d11).mul(1f / (r0 + r1));
        if (dataPrediction) {
            float e = exp(-h) - 1f;
            return sample.mul(sigma[t] / sigma[s0]).sub(m0.mul(alpha[t] * e))
                    .add(d1.mul(alpha[t] * (e / h + 1f)))
                    .sub(d2.mul(alpha[t] * ((exp(-h) - 1f + h) / (h * h) - 0.5f)));
        }
        float e = exp(h) - 1f;
        return sample.mul(alpha[t] / alpha[s0]).sub(m0.mul(sigma[t] * e))
                .sub(d1.mul(sigma[t] * (e / h - 1f)))
                .sub(d2.mul(sigma[t] * ((exp(h) - 1f - h) / (h * h) - 0.5f)));
    }

    private static float exp(float x) {
        return (float) Math.exp(x);
    }
}
