package ai.booth.diffusion.scheduler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.Arrays;
import java.util.List;

/**
 * The training noise schedule: betas and the cumulative products of alphas, computed as diffusers computes them
 * in PyTorch (float32 betas, float32 alphas, cumulative product accumulated in float64 and stored as float32), and
 * the forward process on it: {@link #addNoise} and the v-prediction target {@link #getVelocity}.
 */
public final class NoiseSchedule {

    static final List<String> BETA_SCHEDULES = List.of("linear", "scaled_linear", "squaredcos_cap_v2", "sigmoid");

    private final float[] betas;
    private final float[] alphasCumprod;

    private NoiseSchedule(float[] betas) {
        this.betas = betas;
        this.alphasCumprod = cumprod(betas);
    }

    /** From {@code num_train_timesteps}, {@code beta_start}, {@code beta_end}, {@code beta_schedule}, {@code trained_betas}. */
    public static NoiseSchedule fromConfig(SchedulerConfig config) {
        int steps = config.integer("num_train_timesteps");
        if (steps < 2) {
            throw new IllegalArgumentException("num_train_timesteps must be at least 2, got " + steps);
        }
        double[] trained = config.numbers("trained_betas");
        if (trained != null) {
            float[] betas = new float[trained.length];
            for (int i = 0; i < betas.length; i++) {
                betas[i] = (float) trained[i];
            }
            return new NoiseSchedule(betas);
        }
        double start = config.number("beta_start");
        double end = config.number("beta_end");
        String schedule = config.choice("beta_schedule", BETA_SCHEDULES);
        float[] betas = switch (schedule) {
            case "linear" -> torchLinspace(start, end, steps);
            case "scaled_linear" -> {
                float[] roots = torchLinspace(Math.sqrt(start), Math.sqrt(end), steps);
                for (int i = 0; i < roots.length; i++) {
                    roots[i] = roots[i] * roots[i];
                }
                yield roots;
            }
            case "squaredcos_cap_v2" -> cosineBetas(steps);
            default -> {   // sigmoid (DDPM only)
                float[] x = torchLinspace(-6, 6, steps);
                float scale = (float) (end - start);
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) (1 / (1 + Math.exp(-x[i]))) * scale + (float) start;
                }
                yield x;
            }
        };
        return new NoiseSchedule(betas);
    }

    /** The same schedule rescaled to zero terminal SNR (Lin et al. 2023, Algorithm 1), in float32 as diffusers. */
    public NoiseSchedule rescaledToZeroTerminalSnr() {
        int n = alphasCumprod.length;
        float[] sqrt = new float[n];
        for (int i = 0; i < n; i++) {
            sqrt[i] = (float) Math.sqrt(alphasCumprod[i]);
        }
        float first = sqrt[0];
        float last = sqrt[n - 1];
        float scale = first / (first - last);
        float[] bar = new float[n];
        for (int i = 0; i < n; i++) {
            float s = (sqrt[i] - last) * scale;
            bar[i] = s * s;
        }
        float[] rescaled = new float[n];
        rescaled[0] = 1 - bar[0];
        for (int i = 1; i < n; i++) {
            rescaled[i] = 1 - bar[i] / bar[i - 1];
        }
        return new NoiseSchedule(rescaled);
    }

    public int numTrainTimesteps() {
        return betas.length;
    }

    public float[] betas() {
        return betas.clone();
    }

    public float[] alphasCumprod() {
        return alphasCumprod.clone();
    }

    /** ᾱ_t of training timestep t. */
    public float alphaCumprod(int t) {
        if (t < 0 || t >= alphasCumprod.length) {
            throw new IllegalArgumentException("timestep " + t + " is outside the training schedule [0, "
                    + alphasCumprod.length + ")");
        }
        return alphasCumprod[t];
    }

    /** The signal-to-noise ratio ᾱ_t / (1 − ᾱ_t) of training timestep t, in float32 as diffusers' compute_snr. */
    public float snr(int t) {
        float a = alphaCumprod(t);
        float ratio = (float) Math.sqrt(a) / (float) Math.sqrt(1 - a);
        return ratio * ratio;
    }

    /** The noise level sigma_t = sqrt((1 - ᾱ_t) / ᾱ_t) of every training timestep, float32 as torch computes it. */
    public float[] sigmas() {
        float[] sigmas = new float[alphasCumprod.length];
        for (int i = 0; i < sigmas.length; i++) {
            sigmas[i] = (float) Math.sqrt((1 - alphasCumprod[i]) / alphasCumprod[i]);
        }
        return sigmas;
    }

    /** log σ_t of every training timestep, float32 (numpy's log of the float32 sigmas). */
    public float[] logSigmas() {
        float[] logs = sigmas();
        for (int i = 0; i < logs.length; i++) {
            logs[i] = (float) Math.log(logs[i]);
        }
        return logs;
    }

    /** √ᾱ_t · original + √(1−ᾱ_t) · noise, t per batch element ({@code timesteps} of shape [B], integers). */
    public NDArray addNoise(NDArray original, NDArray noise, NDArray timesteps) {
        return mix(original, noise, timesteps, false);
    }

    /** The v-prediction target √ᾱ_t · noise − √(1−ᾱ_t) · sample. */
    public NDArray getVelocity(NDArray sample, NDArray noise, NDArray timesteps) {
        return mix(sample, noise, timesteps, true);
    }

    private NDArray mix(NDArray x, NDArray noise, NDArray timesteps, boolean velocity) {
        int[] t = integerTimesteps(timesteps, x);
        try (StepScope scope = new StepScope(x, noise)) {
            NDArray a = perSample(scope, x, t, false);
            NDArray b = perSample(scope, x, t, true);
            return scope.keep(velocity ? a.mul(noise).sub(b.mul(x)) : a.mul(x).add(b.mul(noise)));
        }
    }

    /** √ᾱ_t (or √(1−ᾱ_t)) per batch element as a [B, 1, ...] float32 tensor next to {@code like}. */
    private NDArray perSample(StepScope scope, NDArray like, int[] t, boolean complement) {
        float[] c = new float[t.length];
        for (int i = 0; i < t.length; i++) {
            float a = alphaCumprod(t[i]);
            c[i] = (float) Math.sqrt(complement ? 1 - a : a);
        }
        long[] shape = new long[like.getShape().dimension()];
        Arrays.fill(shape, 1);
        shape[0] = t.length;
        return scope.manager().create(c, new Shape(shape)).toDevice(like.getDevice(), false)
                .toType(like.getDataType(), false);
    }

    private static int[] integerTimesteps(NDArray timesteps, NDArray like) {
        double[] values = timesteps.toType(DataType.FLOAT64, false).toDoubleArray();
        if (values.length != like.getShape().get(0)) {
            throw new IllegalArgumentException("timesteps has " + values.length + " entries but the batch is "
                    + like.getShape());
        }
        int[] t = new int[values.length];
        for (int i = 0; i < t.length; i++) {
            t[i] = (int) values[i];
            if (t[i] != values[i]) {
                throw new IllegalArgumentException("timestep " + values[i] + " is not an integer training step");
            }
        }
        return t;
    }

    /**
     * {@code torch.linspace(start, end, steps, dtype=float32)}: a float step, counted up from start for the first
     * half and down from end for the second, as ATen's CPU kernel does.
     */
    static float[] torchLinspace(double start, double end, int steps) {
        float s = (float) start;
        float e = (float) end;
        float step = (e - s) / (steps - 1);
        float[] out = new float[steps];
        int halfway = steps / 2;
        for (int i = 0; i < steps; i++) {
            out[i] = i < halfway ? s + step * i : e - step * (steps - i - 1);
        }
        return out;
    }

    /** squaredcos_cap_v2 (Nichol & Dhariwal): betas from ᾱ(t) = cos²((t + 0.008)/1.008 · π/2), capped at 0.999. */
    private static float[] cosineBetas(int steps) {
        float[] betas = new float[steps];
        for (int i = 0; i < steps; i++) {
            double t1 = (double) i / steps;
            double t2 = (double) (i + 1) / steps;
            betas[i] = (float) Math.min(1 - alphaBar(t2) / alphaBar(t1), 0.999);
        }
        return betas;
    }

    private static double alphaBar(double t) {
        double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    /** torch.cumprod on float32 (1 − β): a float64 running product, each prefix rounded to float32. */
    private static float[] cumprod(float[] betas) {
        float[] out = new float[betas.length];
        double product = 1;
        for (int i = 0; i < betas.length; i++) {
            product *= (float) (1 - betas[i]);
            out[i] = (float) product;
        }
        return out;
    }
}
