package ai.booth.diffusion.train;

import ai.booth.diffusion.loader.StableDiffusionModel;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

/**
 * Renders validation images during training. The trainer calls it every {@code validationEvery} steps with the
 * adapter being trained active on {@code model} (at scale 1 for UNet and text encoder) and autograd off; an
 * implementation runs text-to-image for each prompt from {@code seed} and returns one image per prompt. New tokens
 * being learned come as {@code embeddings}: textual-inversion files holding the rows trained so far, which the prompts
 * may name. The text-to-image pipeline implements this; the training package depends only on this interface.
 */
@FunctionalInterface
public interface ValidationRenderer {

    List<BufferedImage> render(StableDiffusionModel model, List<String> prompts, long seed, List<Path> embeddings);
}
