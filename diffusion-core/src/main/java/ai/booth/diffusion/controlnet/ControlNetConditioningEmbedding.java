package ai.booth.diffusion.controlnet;

import ai.booth.diffusion.nn.Activations;
import ai.booth.diffusion.nn.Conv2d;
import ai.booth.diffusion.nn.Scope;
import ai.booth.diffusion.nn.StateDict;
import ai.djl.ndarray.NDArray;

import java.util.ArrayList;
import java.util.List;

/**
 * The hint encoder: control image (pixels) → features at latent size and the UNet's first width. conv_in, then per
 * width step a 3×3 conv and a stride-2 3×3 conv to the next width (SiLU after each), then conv_out (zero-initialised
 * in training, so an untrained ControlNet changes nothing).
 */
final class ControlNetConditioningEmbedding {

    private final Conv2d convIn;
    private final List<Conv2d> blocks = new ArrayList<>();
    private final Conv2d convOut;

    ControlNetConditioningEmbedding(StateDict w, int conditioningChannels, int[] channels, long embeddingChannels) {
        this.convIn = Conv2d.same(w.at("conv_in"), conditioningChannels, channels[0], 3);
        for (int i = 0; i < channels.length - 1; i++) {
            blocks.add(Conv2d.same(w.at("blocks." + (2 * i)), channels[i], channels[i], 3));
            blocks.add(new Conv2d(w.at("blocks." + (2 * i + 1)), channels[i], channels[i + 1], 3, 2, 1));
        }
        this.convOut = Conv2d.same(w.at("conv_out"), channels[channels.length - 1], embeddingChannels, 3);
    }

    NDArray forward(NDArray cond) {
        try (Scope scope = Scope.of(cond)) {
            NDArray h = Activations.silu(convIn.forward(cond));
            for (Conv2d block : blocks) {
                h = Activations.silu(block.forward(h));
            }
            return scope.keep(convOut.forward(h));
        }
    }
}
