package ai.booth.diffusion.pipeline;

import java.nio.file.Path;

/**
 * One ControlNet of a request (diffusers' {@code StableDiffusionControlNetPipeline} arguments for it):
 *
 * @param model     a diffusers ControlNet folder or an A1111 single {@code .safetensors} file
 * @param image     the control map as fed to the ControlNet (after any preprocessing), resized to the output size if
 *                  it differs; null only while a replayed infotext still waits for it
 * @param module    the preprocessor that made the map ({@code canny}, {@code none}), recorded in the infotext
 * @param scale     {@code controlnet_conditioning_scale}, ≥ 0
 * @param start     {@code control_guidance_start}: the fraction of steps before which it is off
 * @param end       {@code control_guidance_end}: it is off at step i of n when (i + 1)/n &gt; end
 * @param guessMode diffusers' guess mode: the ControlNet sees only the conditional half (no negative prompt), its
 *                  residuals scaled from 0.1 (first block) to 1 (mid block), zero for the unconditional half
 */
public record ControlNetRequest(Path model, Path image, String module, double scale, double start, double end,
                                boolean guessMode) {

    public ControlNetRequest {
        if (model == null) {
            throw new IllegalArgumentException("controlnet: model is missing");
        }
        module = module == null || module.isBlank() ? "none" : module;
        if (!Double.isFinite(scale) || scale < 0) {
            throw new IllegalArgumentException("controlnet " + model + ": scale must be a number ≥ 0, got " + scale);
        }
        // diffusers' check_inputs: 0 ≤ start < end ≤ 1
        if (!(start >= 0 && start < end && end <= 1)) {
            throw new IllegalArgumentException("controlnet " + model + ": guidance start and end must satisfy "
                    + "0 ≤ start < end ≤ 1, got " + start + " and " + end);
        }
    }

    public ControlNetRequest(Path model, Path image) {
        this(model, image, "none", 1.0, 0.0, 1.0, false);
    }

    /** The model's name as A1111 shows it: the file or folder name without {@code .safetensors}. */
    public String name() {
        return LoraRequest.stem(model);
    }

    /** Whether it steers step {@code i} of {@code n} (diffusers' {@code controlnet_keep}). */
    public boolean activeAt(int i, int n) {
        return !((double) i / n < start || (double) (i + 1) / n > end);
    }

    public ControlNetRequest withScale(double newScale) {
        return new ControlNetRequest(model, image, module, newScale, start, end, guessMode);
    }

    public ControlNetRequest withImage(Path newImage) {
        return new ControlNetRequest(model, newImage, module, scale, start, end, guessMode);
    }
}
