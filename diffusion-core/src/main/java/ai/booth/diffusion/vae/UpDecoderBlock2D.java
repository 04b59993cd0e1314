package ai.booth.diffusion.vae;

import ai.booth.diffusion.nn.Scope;
import ai.booth.diffusion.nn.StateDict;
import ai.booth.diffusion.unet.ResnetBlock2D;
import ai.booth.diffusion.unet.Upsample2D;
import ai.djl.ndarray.NDArray;

import java.util.ArrayList;
import java.util.List;

/** A decoder level: resnets (no skips, no time embedding), then nearest ×2 upsampling unless last. */
final class UpDecoderBlock2D {

    private final List<ResnetBlock2D> resnets = new ArrayList<>();
    private final Upsample2D upsampler;

    UpDecoderBlock2D(StateDict w, long in, long out, int layers, int groups, boolean addUpsample) {
        for (int j = 0; j < layers; j++) {
            resnets.add(new ResnetBlock2D(w.at("resnets." + j), j == 0 ? in : out, out, 0, groups, 1e-6f, 1.0));
        }
        this.upsampler = addUpsample ? new Upsample2D(w.at("upsamplers.0"), out) : null;
    }

    NDArray forward(NDArray x) {
        try (Scope scope = Scope.of(x)) {
            NDArray h = x;
            for (ResnetBlock2D resnet : resnets) {
                h = resnet.forward(h, null);
            }
            return scope.keep(upsampler == null ? h : upsampler.forward(h));
        }
    }
}
