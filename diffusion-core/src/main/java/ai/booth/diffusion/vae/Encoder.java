package ai.booth.diffusion.vae;

import ai.booth.diffusion.nn.Activations;
import ai.booth.diffusion.nn.Conv2d;
import ai.booth.diffusion.nn.GroupNorm;
import ai.booth.diffusion.nn.Scope;
import ai.booth.diffusion.nn.StateDict;
import ai.booth.diffusion.unet.DownBlock2D;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

import java.util.ArrayList;
import java.util.List;

/** Image → posterior moments [B, 2·latent, h, w]: conv_in, DownEncoderBlock2Ds, mid block, norm, SiLU, conv_out. */
final class Encoder {

    private final Conv2d convIn;
    private final List<DownBlock2D> downBlocks = new ArrayList<>();
    private final UNetMidBlock2D midBlock;
    private final GroupNorm normOut;
    private final Conv2d convOut;

    Encoder(StateDict w, AutoencoderKLConfig config) {
        int[] ch = config.blockOutChannels();
        int groups = config.normNumGroups();
        this.convIn = Conv2d.same(w.at("conv_in"), config.inChannels(), ch[0], 3);
        for (int i = 0; i < ch.length; i++) {
            // DownEncoderBlock2D: a DownBlock2D without time embedding whose downsampler pads right/bottom.
            downBlocks.add(new DownBlock2D(w.at("down_blocks." + i), i == 0 ? ch[0] : ch[i - 1], ch[i],
                    config.layersPerBlock(), 0, groups, 1e-6f, i < ch.length - 1, 0));
        }
        this.midBlock = new UNetMidBlock2D(w.at("mid_block"), ch[ch.length - 1], groups);
        this.normOut = new GroupNorm(w.at("conv_norm_out"), groups, ch[ch.length - 1], 1e-6f);
        this.convOut = Conv2d.same(w.at("conv_out"), ch[ch.length - 1], 2L * config.latentChannels(), 3);
    }

    NDArray forward(NDArray image) {
        try (Scope scope = Scope.of(image)) {
            NDArray h = convIn.forward(image);
            for (DownBlock2D block : downBlocks) {
                NDList states = block.forward(h, null, null);
                h = states.get(states.size() - 1);
            }
            h = midBlock.forward(h);
            return scope.keep(convOut.forward(Activations.silu(normOut.forward(h))));
        }
    }
}
