package ai.booth.diffusion.unet;

import ai.djl.ndarray.NDArray;

import java.util.List;

/**
 * What a ControlNet adds to a UNet (diffusers' {@code down_block_additional_residuals} /
 * {@code mid_block_additional_residual}): one residual per skip connection, in the order the encoder makes them
 * (conv_in output first), and one for the mid-block output.
 */
public record ControlResiduals(List<NDArray> down, NDArray mid) {

    public ControlResiduals {
        down = List.copyOf(down);
    }
}
