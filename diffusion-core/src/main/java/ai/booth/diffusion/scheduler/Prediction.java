package ai.booth.diffusion.scheduler;

import ai.djl.ndarray.NDArray;

import java.util.List;

/**
 * What the model predicts and how the denoised sample x̂₀ follows from it at ᾱ_t, plus the clipping and dynamic
 * thresholding diffusers applies to x̂₀ (float32 coefficients, tensor operations in diffusers' order).
 */
final class Prediction {

    static final List<String> TYPES = List.of("epsilon", "v_prediction", "sample");

    private Prediction() {
    }

    /** x̂₀ from the model output: ε → (x − √(1−ᾱ)·ε)/√ᾱ; v → √ᾱ·x − √(1−ᾱ)·v; sample → itself. */
    static NDArray originalSample(String type, NDArray output, NDArray sample, float alphaProd) {
        float beta = 1 - alphaProd;
        float sqrtAlpha = (float) Math.sqrt(alphaProd);
        float sqrtBeta = (float) Math.sqrt(beta);
        return switch (type) {
            case "epsilon" -> sample.sub(output.mul(sqrtBeta)).div(sqrtAlpha);
            case "v_prediction" -> sample.mul(sqrtAlpha).sub(output.mul(sqrtBeta));
            default -> output;
        };
    }

    /** Clamps x̂₀ to ±range ({@code clip_sample}) or applies dynamic thresholding ({@code thresholding}). */
    static NDArray limit(SchedulerConfig config, NDArray x0) {
        if (config.flag("thresholding")) {
            return threshold(x0, config.number("dynamic_thresholding_ratio"), config.number("sample_max_value"));
        }
        if (config.flag("clip_sample")) {
            float range = (float) config.number("clip_sample_range");
            return x0.clip(-range, range);
        }
        return x0;
    }

    /**
     * Imagen's dynamic thresholding: per sample, s = the {@code ratio} quantile of |x̂₀| (linear interpolation, as
     * torch.quantile), clamped to [1, maxValue]; x̂₀ is clamped to ±s and divided by s.
     */
    static NDArray threshold(NDArray x0, double ratio, double maxValue) {
        long batch = x0.getShape().get(0);
        NDArray flat = x0.reshape(batch, -1);
        NDArray sorted = flat.abs().sort(1);
        long n = sorted.getShape().get(1);
        double pos = ratio * (n - 1);
        long lo = (long) Math.floor(pos);
        long hi = Math.min(lo + 1, n - 1);
        float frac = (float) (pos - lo);
        NDArray low = sorted.get(":, {}", lo);
        NDArray high = sorted.get(":, {}", hi);
        NDArray s = low.add(high.sub(low).mul(frac)).clip(1, maxValue).reshape(batch, 1);
        return flat.maximum(s.neg()).minimum(s).div(s).reshape(x0.getShape());
    }
}
