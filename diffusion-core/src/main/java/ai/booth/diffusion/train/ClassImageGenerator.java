package ai.booth.diffusion.train;

import java.awt.image.BufferedImage;

/**
 * Makes the class images of prior preservation with the base model (DreamBooth samples the class prompt from the
 * model being fine-tuned, so the prior loss keeps what it already draws). The text-to-image pipeline implements it.
 */
@FunctionalInterface
public interface ClassImageGenerator {

    /** One image of {@code prompt} at {@code size}² pixels from {@code seed}. */
    BufferedImage generate(String prompt, long seed, int size);
}
