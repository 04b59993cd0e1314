package ai.booth.diffusion.scheduler;

import ai.booth.diffusion.runtime.NoiseSource;
import ai.djl.ndarray.NDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Pseudo numerical methods (Liu et al. 2022) as diffusers 0.21 {@code PNDMScheduler}. With {@code skip_prk_steps}
 * (every Stable Diffusion config) it is PLMS: linear multistep on the model outputs, the first step taken twice
 * (Heun-like warm-up), so the timesteps hold one more entry than the steps asked for. Without it, twelve
 * Runge–Kutta evaluations over the last four timesteps start the run.
 */
public final class PNDMScheduler extends BaseScheduler {

    static final Map<String, Object> DEFAULTS = SchedulerConfig.defaults(
            "num_train_timesteps", 1000, "beta_start", 0.0001, "beta_end", 0.02, "beta_schedule", "linear",
            "trained_betas", null, "skip_prk_steps", false, "set_alpha_to_one", false,
            "prediction_type", "epsilon", "timestep_spacing", "leading", "steps_offset", 0);

    private final float finalAlphaCumprod;
    private final String prediction;
    private final boolean skipPrk;
    private int prkCount;
    private int counter;
    private final List<NDArray> ets = new ArrayList<>();
    private NDArray curSample;
    private NDArray curModelOutput;   // running Runge–Kutta sum, null for 0

    /** From a config resolved for this class ({@link Schedulers#create} does that). */
    PNDMScheduler(SchedulerConfig config) {
        super(config, NoiseSchedule.fromConfig(config));
        this.finalAlphaCumprod = config.flag("set_alpha_to_one") ? 1f : schedule.alphaCumprod(0);
        this.prediction = config.choice("prediction_type", List.of("epsilon", "v_prediction"));
        this.skipPrk = config.flag("skip_prk_steps");
    }

    @Override
    public void setTimesteps(int steps) {
        checkSteps(steps);
        this.steps = steps;
        String spacing = config.choice("timestep_spacing", SPACINGS);
        double[] ascending = switch (spacing) {
            case "linspace" -> Numpy.round(Numpy.linspace(0, trainSteps - 1, steps));
            case "trailing" -> Numpy.reverse(trailing(trainSteps, (double) trainSteps / steps));
            default -> {
                double[] t = new double[steps];
                for (int i = 0; i < steps; i++) {
                    t[i] = (double) i * (trainSteps / steps) + config.integer("steps_offset");
                }
                yield t;
            }
        };
        int n = ascending.length;
        List<Double> order = new ArrayList<>();
        if (skipPrk) {
            // PLMS: [t_0 .. t_{n-2}, t_{n-2}, t_{n-1}] reversed: the second timestep repeats (warm-up step).
            prkCount = 0;
            order.add(ascending[n - 1]);
            if (n >= 2) {
                order.add(ascending[n - 2]);
            }
            for (int i = n - 2; i >= 0; i--) {
                order.add(ascending[i]);
            }
        } else {
            if (n < 4) {
                throw new IllegalArgumentException("PNDM with Runge-Kutta warm-up needs at least 4 steps, got "
                        + steps + " (or set skip_prk_steps)");
            }
            // Each of the last four timesteps and its midpoint, each evaluated twice, minus the outer ends.
            int half = trainSteps / steps / 2;
            List<Double> prk = new ArrayList<>();
            for (int i = n - 4; i < n; i++) {
                prk.add(ascending[i]);
                prk.add(ascending[i] + half);
            }
            List<Double> doubled = new ArrayList<>();
            for (int i = 0; i < prk.size() - 1; i++) {
                doubled.add(prk.get(i));
                doubled.add(prk.get(i));
            }
            List<Double> inner = doubled.subList(1, doubled.size() - 1);
            for (int i = inner.size() - 1; i >= 0; i--) {
                order.add(inner.get(i));
            }
            prkCount = inner.size();
            for (int i = n - 4; i >= 0; i--) {
                order.add(ascending[i]);
            }
        }
        timesteps = order.stream().mapToDouble(Double::doubleValue).toArray();
        reset();
    }

    @Override
    public void close() {
        reset();
    }

    private void reset() {
        ets.forEach(NDArray::close);
        ets.clear();
        counter = 0;
        closeCurSample();
        if (curModelOutput != null) {
            curModelOutput.close();
            curModelOutput = null;
        }
    }

    private void closeCurSample() {
        if (curSample != null) {
            curSample.close();
            curSample = null;
        }
    }

    @Override
    public NDArray step(NDArray modelOutput, float timestep, NDArray sample, NoiseSource noise) {
        requireTimesteps();
        try (StepScope scope = new StepScope(sample, modelOutput)) {
            scope.borrow(ets);
            scope.borrow(Arrays.asList(curSample, curModelOutput));
            NDArray out = counter < prkCount ? stepPrk(scope, modelOutput, trainingStep(timestep), sample)
                    : stepPlms(scope, modelOutput, trainingStep(timestep), sample);
            counter++;
            return scope.keep(out);
        }
    }

    private NDArray stepPrk(StepScope scope, NDArray modelOutput, int timestep, NDArray sample) {
        int diffToPrev = counter % 2 == 1 ? 0 : trainSteps / steps / 2;
        int prev = timestep - diffToPrev;
        int t = (int) timesteps[counter / 4 * 4];
        NDArray output = modelOutput;
        switch (counter % 4) {
            case 0 -> {
                accumulate(scope, modelOutput.mul(1f / 6));
                ets.add(scope.retain(modelOutput.duplicate()));
                closeCurSample();
                curSample = scope.retain(sample.duplicate());
            }
            case 1, 2 -> accumulate(scope, modelOutput.mul(1f / 3));
            default -> {
                output = curModelOutput.add(modelOutput.mul(1f / 6));
                curModelOutput.close();
                curModelOutput = null;
            }
        }
        return previousSample(curSample != null ? curSample : sample, t, prev, output);
    }

    private void accumulate(StepScope scope, NDArray term) {
        NDArray sum = curModelOutput == null ? term : curModelOutput.add(term);
        if (curModelOutput != null) {
            curModelOutput.close();
        }
        curModelOutput = scope.retain(sum);
    }

    private NDArray stepPlms(StepScope scope, NDArray modelOutput, int timestep, NDArray sample) {
        if (!skipPrk && ets.size() < 3) {
            throw new IllegalStateException("PNDM: linear multistep needs the Runge-Kutta warm-up first");
        }
        int prev = timestep - trainSteps / steps;
        if (counter != 1) {
            while (ets.size() > 3) {
                ets.remove(0).close();
            }
            ets.add(scope.retain(modelOutput.duplicate()));
        } else {
            prev = timestep;
            timestep = timestep + trainSteps / steps;
        }
        int n = ets.size();
        NDArray output;
        NDArray warmUpSample = null;
        if (n == 1 && counter == 0) {
            output = modelOutput;
            closeCurSample();
            curSample = scope.retain(sample.duplicate());
        } else if (n == 1 && counter == 1) {
            output = modelOutput.add(ets.get(0)).div(2f);
            sample = warmUpSample = curSample;     // the warm-up step restarts from the first sample
            curSample = null;
        } else if (n == 2) {
            output = ets.get(1).mul(3f).sub(ets.get(0)).div(2f);
        } else if (n == 3) {
            output = ets.get(2).mul(23f).sub(ets.get(1).mul(16f)).add(ets.get(0).mul(5f)).div(12f);
        } else {
            output = ets.get(3).mul(55f).sub(ets.get(2).mul(59f)).add(ets.get(1).mul(37f))
                    .sub(ets.get(0).mul(9f)).mul((float) (1.0 / 24));
        }
        NDArray prevSample = previousSample(sample, timestep, prev, output);
        if (warmUpSample != null) {
            warmUpSample.close();
        }
        return prevSample;
    }

    /** Formula (9) of the PNDM paper: x_{t−δ} from x_t and the (combined) noise estimate. */
    private NDArray previousSample(NDArray sample, int t, int prev, NDArray modelOutput) {
        float alphaProd = schedule.alphaCumprod(t);
        float alphaProdPrev = prev >= 0 ? schedule.alphaCumprod(prev) : finalAlphaCumprod;
        float betaProd = 1 - alphaProd;
        float betaProdPrev = 1 - alphaProdPrev;
        if (prediction.equals("v_prediction")) {
            modelOutput = modelOutput.mul((float) Math.sqrt(alphaProd)).add(sample.mul((float) Math.sqrt(betaProd)));
        }
        float sampleCoeff = (float) Math.sqrt(alphaProdPrev / alphaProd);
        float denom = alphaProd * (float) Math.sqrt(betaProdPrev)
                + (float) Math.sqrt(alphaProd * betaProd * alphaProdPrev);
        return sample.mul(sampleCoeff).sub(modelOutput.mul(alphaProdPrev - alphaProd).div(denom));
    }
}
