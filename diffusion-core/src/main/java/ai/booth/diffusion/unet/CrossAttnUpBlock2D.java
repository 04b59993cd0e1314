package ai.booth.diffusion.unet;

import ai.booth.diffusion.nn.StateDict;

/** {@link UpBlock2D} with a Transformer2DModel after each resnet. */
public final class CrossAttnUpBlock2D extends UpBlock2D {

    public CrossAttnUpBlock2D(StateDict w, long prev, long skipIn, long out, int layers, int tembChannels, int groups,
                              float eps, boolean addUpsample, Transformer2DModel.Spec attention) {
        super(w, prev, skipIn, out, layers, tembChannels, groups, eps, addUpsample, attention);
    }
}
