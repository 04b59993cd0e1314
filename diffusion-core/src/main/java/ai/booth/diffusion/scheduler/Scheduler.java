package ai.booth.diffusion.scheduler;

import ai.booth.diffusion.runtime.NoiseSource;
import ai.djl.ndarray.NDArray;

/**
 * A diffusion sampler with diffusers' contract. A run is: {@link #setTimesteps}, {@code x = noise ·
 * initNoiseSigma()}, then for each {@code t} of {@link #timesteps()}: {@code eps = model(scaleModelInput(x, t), t)},
 * {@code x = step(eps, t, x, noise)}. {@code setTimesteps} also clears what a multistep sampler remembers, so one
 * instance serves run after run (not concurrently: a scheduler is the state of one run).
 *
 * <p>Tensors returned belong to the manager of the {@code sample} passed in; intermediates are freed per call.
 */
public interface Scheduler extends AutoCloseable {

    /** The effective configuration: the class's defaults, the source config, the overrides. */
    SchedulerConfig config();

    /** The training noise schedule the sampler walks down. */
    NoiseSchedule schedule();

    /** Chooses the sampling timesteps for a run of {@code steps} model evaluations and resets per-run state. */
    void setTimesteps(int steps);

    /** The timesteps to evaluate the model at, in order (float32 as the model embeds them). */
    float[] timesteps();

    /** Standard deviation of the initial noise: 1 for DDIM-style samplers, the largest sigma for Euler-style ones. */
    float initNoiseSigma();

    /** How many model evaluations a step takes (diffusers' {@code order}); img2img skips timesteps in these units. */
    default int order() {
        return 1;
    }

    /** The model input at {@code timestep}: the sample itself, or scaled by 1/√(σ²+1) for Euler-style samplers. */
    NDArray scaleModelInput(NDArray sample, float timestep);

    /**
     * The sample at the next timestep from the model output at {@code timestep}. {@code noise} is drawn from only
     * by stochastic samplers (Euler ancestral, DDIM with eta &gt; 0, DDPM); pass the generator of the run so that a
     * seed reproduces the whole run.
     */
    NDArray step(NDArray modelOutput, float timestep, NDArray sample, NoiseSource noise);

    /** The forward process at per-sample training timesteps ({@code timesteps} of shape [B]). */
    default NDArray addNoise(NDArray original, NDArray noise, NDArray timesteps) {
        return schedule().addNoise(original, noise, timesteps);
    }

    /**
     * Frees what a multistep sampler keeps between steps (earlier model outputs, held outside every NDManager);
     * call it when a run ends. The scheduler stays usable: {@link #setTimesteps} starts a new run.
     */
    @Override
    default void close() {
    }

    /** The v-prediction training target at per-sample timesteps. */
    default NDArray getVelocity(NDArray sample, NDArray noise, NDArray timesteps) {
        return schedule().getVelocity(sample, noise, timesteps);
    }
}
