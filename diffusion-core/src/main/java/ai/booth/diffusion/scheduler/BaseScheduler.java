package ai.booth.diffusion.scheduler;

import ai.djl.ndarray.NDArray;

import java.util.List;

/** What every sampler here shares: the effective config, its noise schedule, the chosen timesteps. */
abstract class BaseScheduler implements Scheduler {

    static final List<String> SPACINGS = List.of("linspace", "leading", "trailing");

    protected final SchedulerConfig config;
    protected final NoiseSchedule schedule;
    protected final int trainSteps;
    /** The sampling timesteps in float64, as numpy holds them; {@link #timesteps()} gives them as float32. */
    protected double[] timesteps = new double[0];
    /** The step count of the run; DDIM, PNDM and DDPM step back T/steps training steps at a time. */
    protected int steps;

    BaseScheduler(SchedulerConfig config, NoiseSchedule schedule) {
        this.config = config;
        this.schedule = schedule;
        this.trainSteps = config.integer("num_train_timesteps");
    }

    @Override
    public SchedulerConfig config() {
        return config;
    }

    @Override
    public NoiseSchedule schedule() {
        return schedule;
    }

    @Override
    public float[] timesteps() {
        float[] out = new float[timesteps.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) timesteps[i];
        }
        return out;
    }

    /** Integer timesteps by {@code timestep_spacing} (DDIM and DDPM; the other samplers have their own rules). */
    @Override
    public void setTimesteps(int steps) {
        checkSteps(steps);
        this.steps = steps;
        this.timesteps = integerSpacing(steps);
    }

    @Override
    public float initNoiseSigma() {
        return 1f;
    }

    @Override
    public NDArray scaleModelInput(NDArray sample, float timestep) {
        return sample;
    }

    protected void checkSteps(int steps) {
        if (steps < 1 || steps > trainSteps) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": steps must be in [1, " + trainSteps
                    + "], got " + steps);
        }
    }

    protected void requireTimesteps() {
        if (timesteps.length == 0) {
            throw new IllegalStateException(getClass().getSimpleName() + ": call setTimesteps before step");
        }
    }

    /** Index of {@code timestep} in the run's timesteps, or -1. {@code from} skips earlier duplicates. */
    protected int indexOf(float timestep, int from) {
        for (int i = Math.max(from, 0); i < timesteps.length; i++) {
            if ((float) timesteps[i] == timestep) {
                return i;
            }
        }
        return -1;
    }

    /** An integer training timestep passed as a float. */
    protected int trainingStep(float timestep) {
        int t = Math.round(timestep);
        if (t != timestep || t < 0 || t >= trainSteps) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": timestep " + timestep
                    + " is not one of the training steps 0.." + (trainSteps - 1));
        }
        return t;
    }

    /**
     * The integer timesteps of DDIM, DDPM and PNDM, descending: "linspace" rounds an even spread over
     * [0, T−1], "leading" takes every (T//steps)-th step from 0 plus {@code steps_offset}, "trailing" every
     * (T/steps)-th from T down, minus one.
     */
    protected double[] integerSpacing(int steps) {
        String spacing = config.choice("timestep_spacing", SPACINGS);
        double[] t;
        switch (spacing) {
            case "linspace" -> t = Numpy.reverse(Numpy.round(Numpy.linspace(0, trainSteps - 1, steps)));
            case "leading" -> {
                int ratio = trainSteps / steps;
                int offset = config.integer("steps_offset");
                t = new double[steps];
                for (int i = 0; i < steps; i++) {
                    t[i] = (double) (steps - 1 - i) * ratio + offset;
                }
            }
            default -> t = trailing(trainSteps, (double) trainSteps / steps);
        }
        return t;
    }

    /** {@code np.round(np.arange(from, 0, -ratio)) - 1}, descending ("trailing" spacing). */
    protected static double[] trailing(int from, double ratio) {
        int count = (int) Math.ceil(from / ratio);
        double[] t = new double[count];
        for (int i = 0; i < count; i++) {
            t[i] = Math.rint(from + i * -ratio) - 1;
        }
        return t;
    }
}
