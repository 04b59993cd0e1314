package ai.booth.diffusion.unet;

import ai.booth.diffusion.nn.StateDict;

/** {@link DownBlock2D} with a Transformer2DModel after each resnet (self- and cross-attention on the text). */
public final class CrossAttnDownBlock2D extends DownBlock2D {

    public CrossAttnDownBlock2D(StateDict w, long in, long out, int layers, int tembChannels, int groups, float eps,
                                boolean addDownsample, int downsamplePadding, Transformer2DModel.Spec attention) {
        super(w, in, out, layers, tembChannels, groups, eps, addDownsample, downsamplePadding, attention);
    }
}
