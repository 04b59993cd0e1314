package ai.booth.diffusion.scheduler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.Arrays;

/**
 * The k-diffusion family as diffusers 0.21 writes it (Euler, Euler ancestral): the sample lives at noise level σ
 * (x = x₀ + σ·ε), the model sees x/√(σ²+1), and each step moves from σ_i to σ_{i+1}. σ per sampling timestep is
 * interpolated from the training sigmas; the list ends with σ = 0.
 */
abstract class SigmaScheduler extends BaseScheduler {

    protected final String prediction;
    /** σ of each sampling timestep, then 0 (float32). */
    protected float[] sigmas = new float[0];
    private int stepIndex = -1;

    SigmaScheduler(SchedulerConfig config) {
        super(config, NoiseSchedule.fromConfig(config));
        this.prediction = config.choice("prediction_type", Prediction.TYPES);
    }

    @Override
    public void setTimesteps(int steps) {
        checkSteps(steps);
        String spacing = config.choice("timestep_spacing", SPACINGS);
        double[] t;
        switch (spacing) {
            case "linspace" -> t = Numpy.reverse(Numpy.linspace(0, trainSteps - 1, steps));
            case "leading" -> {
                int ratio = trainSteps / steps;
                t = new double[steps];
                for (int i = 0; i < steps; i++) {
                    t[i] = (double) (steps - 1 - i) * ratio + config.integer("steps_offset");
                }
            }
            default -> t = trailing(trainSteps, (double) trainSteps / steps);
        }
        for (int i = 0; i < t.length; i++) {
            t[i] = (float) t[i];       // numpy builds these as float32
        }
        float[] trainSigmas = schedule.sigmas();
        double[] s = sigmasAt(t, trainSigmas, steps);
        if (karras()) {
            s = Numpy.karras(s[0], s[s.length - 1], steps);
            t = Numpy.sigmasToT(s, schedule.logSigmas());
        }
        timesteps = t;
        sigmas = new float[s.length + 1];
        for (int i = 0; i < s.length; i++) {
            sigmas[i] = (float) s[i];
        }
        stepIndex = -1;
    }

    /** σ at the sampling timesteps: linear interpolation in t ("linear"), or a log-linear ramp ("log_linear"). */
    protected double[] sigmasAt(double[] t, float[] trainSigmas, int steps) {
        return Numpy.interp(t, trainSigmas);
    }

    /** Whether the sigmas are respaced à la Karras (timesteps then follow the sigmas). */
    protected boolean karras() {
        return false;
    }

    @Override
    public float initNoiseSigma() {
        requireTimesteps();
        float max = 0;
        for (float s : sigmas) {
            max = Math.max(max, s);
        }
        return config.choice("timestep_spacing", SPACINGS).equals("leading")
                ? (float) Math.sqrt(max * max + 1) : max;
    }

    @Override
    public NDArray scaleModelInput(NDArray sample, float timestep) {
        float sigma = sigmas[currentIndex(timestep)];
        return sample.div((float) Math.sqrt(sigma * sigma + 1));
    }

    /** The index of the step under way: found from the first timestep a run is given, then counted. */
    protected int currentIndex(float timestep) {
        requireTimesteps();
        if (stepIndex < 0) {
            int first = indexOf(timestep, 0);
            if (first < 0) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ": timestep " + timestep
                        + " is not one of this run's timesteps");
            }
            int second = indexOf(timestep, first + 1);   // diffusers starts at a repeated timestep's second entry
            stepIndex = second >= 0 ? second : first;
        }
        if (stepIndex >= timesteps.length) {
            throw new IllegalStateException(getClass().getSimpleName() + ": the run's " + timesteps.length
                    + " steps are done; call setTimesteps for a new run");
        }
        return stepIndex;
    }

    protected void advance() {
        stepIndex++;
    }

    /** x̂₀ at noise level σ: ε → x − σ·ε; v → v·(−σ/√(σ²+1)) + x/(σ²+1); sample → itself. */
    protected NDArray originalSample(NDArray output, NDArray sample, float sigma) {
        return switch (prediction) {
            case "epsilon" -> sample.sub(output.mul(sigma));
            case "v_prediction" -> output.mul(-sigma / (float) Math.sqrt(sigma * sigma + 1))
                    .add(sample.div(sigma * sigma + 1));
            default -> output;
        };
    }

    /** x₀ + σ_t · noise, σ_t the sigma of each sample's timestep among this run's timesteps. */
    @Override
    public NDArray addNoise(NDArray original, NDArray noise, NDArray timesteps) {
        requireTimesteps();
        float[] t = timesteps.toType(DataType.FLOAT32, false).toFloatArray();
        float[] perSample = new float[t.length];
        for (int i = 0; i < t.length; i++) {
            int index = indexOf(t[i], 0);
            if (index < 0) {
                throw new IllegalArgumentException("timestep " + t[i] + " is not one of this run's timesteps");
            }
            perSample[i] = sigmas[index];
        }
        try (StepScope scope = new StepScope(original, noise)) {
            long[] shape = new long[original.getShape().dimension()];
            Arrays.fill(shape, 1);
            shape[0] = t.length;
            NDArray sigma = scope.manager().create(perSample, new Shape(shape))
                    .toType(original.getDataType(), false);
            return scope.keep(original.add(noise.mul(sigma)));
        }
    }
}
