package ai.booth.diffusion.unet;

import ai.booth.diffusion.nn.StageTape;
import ai.booth.diffusion.nn.StateDict;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

import java.util.ArrayList;
import java.util.List;

/**
 * A UNet encoder level: {@code layers} ResnetBlock2Ds (each followed by a Transformer2DModel in
 * {@link CrossAttnDownBlock2D}), then a stride-2 downsampler unless it is the last level. Every intermediate output
 * is a skip connection for the decoder.
 */
public class DownBlock2D {

    private final List<ResnetBlock2D> resnets = new ArrayList<>();
    private final List<Transformer2DModel> attentions = new ArrayList<>();
    private final Downsample2D downsampler;

    /** @param attention the transformers' spec, or null for a plain DownBlock2D */
    protected DownBlock2D(StateDict w, long in, long out, int layers, int tembChannels, int groups, float eps,
                          boolean addDownsample, int downsamplePadding, Transformer2DModel.Spec attention) {
        for (int j = 0; j < layers; j++) {
            resnets.add(new ResnetBlock2D(w.at("resnets." + j), j == 0 ? in : out, out, tembChannels, groups, eps, 1.0));
            if (attention != null) {
                attentions.add(new Transformer2DModel(w.at("attentions." + j), out, attention));
            }
        }
        this.downsampler = addDownsample ? new Downsample2D(w.at("downsamplers.0"), out, downsamplePadding) : null;
    }

    public DownBlock2D(StateDict w, long in, long out, int layers, int tembChannels, int groups, float eps,
                       boolean addDownsample, int downsamplePadding) {
        this(w, in, out, layers, tembChannels, groups, eps, addDownsample, downsamplePadding, null);
    }

    /** @return every output in order (the skip connections); the last one is the input of the next level */
    public NDList forward(NDArray x, NDArray temb, NDArray context) {
        NDList states = layers(x, temb, context);
        if (downsampler != null) {
            states.add(downsampler.forward(states.get(states.size() - 1)));
        }
        return states;
    }

    /** The layers' outputs without the downsampler's: the skips this level's up block reads. */
    public NDList layers(NDArray x, NDArray temb, NDArray context) {
        NDList states = new NDList();
        NDArray h = x;
        for (int j = 0; j < resnets.size(); j++) {
            h = resnets.get(j).forward(h, temb);
            if (!attentions.isEmpty()) {
                h = attentions.get(j).forward(h, context);
            }
            states.add(h);
        }
        return states;
    }

    /**
     * {@link #forward} as checkpointed stages on {@code tape}: one per resnet, transformer and downsampler.
     *
     * @return the ids of every output in order (the skip connections)
     */
    public int[] forward(StageTape tape, int x, int temb, int context) {
        int[] states = new int[resnets.size() + (downsampler != null ? 1 : 0)];
        int h = x;
        for (int j = 0; j < resnets.size(); j++) {
            ResnetBlock2D resnet = resnets.get(j);
            h = tape.run(in -> new NDList(resnet.forward(in.get(0), in.get(1))), h, temb)[0];
            if (!attentions.isEmpty()) {
                Transformer2DModel attention = attentions.get(j);
                h = tape.run(in -> new NDList(attention.forward(in.get(0), in.get(1))), h, context)[0];
            }
            states[j] = h;
        }
        if (downsampler != null) {
            states[states.length - 1] = tape.run(in -> new NDList(downsampler.forward(in.get(0))), h)[0];
        }
        return states;
    }

    public List<Transformer2DModel> attentions() {
        return attentions;
    }
}
