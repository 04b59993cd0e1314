package ai.booth.diffusion.vae;

import ai.booth.diffusion.nn.Activations;
import ai.booth.diffusion.nn.Conv2d;
import ai.booth.diffusion.nn.GroupNorm;
import ai.booth.diffusion.nn.Scope;
import ai.booth.diffusion.nn.StateDict;
import ai.djl.ndarray.NDArray;

import java.util.ArrayList;
import java.util.List;

/** Latents → image: conv_in, mid block, UpDecoderBlock2Ds (layers_per_block + 1 resnets each), norm, SiLU, conv_out. */
final class Decoder {

    private final Conv2d convIn;
    private final UNetMidBlock2D midBlock;
    private final List<UpDecoderBlock2D> upBlocks = new ArrayList<>();
    private final GroupNorm normOut;
    private final Conv2d convOut;

    Decoder(StateDict w, AutoencoderKLConfig config) {
        int[] ch = config.blockOutChannels();
        int n = ch.length;
        int groups = config.normNumGroups();
        this.convIn = Conv2d.same(w.at("conv_in"), config.latentChannels(), ch[n - 1], 3);
        this.midBlock = new UNetMidBlock2D(w.at("mid_block"), ch[n - 1], groups);
        for (int i = 0; i < n; i++) {
            long prev = ch[n - 1 - Math.max(i - 1, 0)];
            upBlocks.add(new UpDecoderBlock2D(w.at("up_blocks." + i), prev, ch[n - 1 - i], config.layersPerBlock() + 1,
                    groups, i < n - 1));
        }
        this.normOut = new GroupNorm(w.at("conv_norm_out"), groups, ch[0], 1e-6f);
        this.convOut = Conv2d.same(w.at("conv_out"), ch[0], config.outChannels(), 3);
    }

    NDArray forward(NDArray latents) {
        try (Scope scope = Scope.of(latents)) {
            NDArray h = midBlock.forward(convIn.forward(latents));
            for (UpDecoderBlock2D block : upBlocks) {
                h = block.forward(h);
            }
            return scope.keep(convOut.forward(Activations.silu(normOut.forward(h))));
        }
    }
}
