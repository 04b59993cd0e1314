package ai.booth.diffusion.unet;

import ai.booth.diffusion.nn.Scope;
import ai.booth.diffusion.nn.StageTape;
import ai.booth.diffusion.nn.StateDict;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A UNet decoder level: {@code layers} ResnetBlock2Ds, each on the running features concatenated with the next
 * skip connection (followed by a Transformer2DModel in {@link CrossAttnUpBlock2D}), then nearest ×2 upsampling
 * unless it is the last level.
 */
public class UpBlock2D {

    private final List<ResnetBlock2D> resnets = new ArrayList<>();
    private final List<Transformer2DModel> attentions = new ArrayList<>();
    private final Upsample2D upsampler;

    /**
     * @param prev     channels coming from the level below
     * @param skipIn   channels of this level's deepest skip (the previous level's output); the others carry {@code out}
     * @param attention the transformers' spec, or null for a plain UpBlock2D
     */
    protected UpBlock2D(StateDict w, long prev, long skipIn, long out, int layers, int tembChannels, int groups,
                        float eps, boolean addUpsample, Transformer2DModel.Spec attention) {
        for (int j = 0; j < layers; j++) {
            long skip = j == layers - 1 ? skipIn : out;
            long in = j == 0 ? prev : out;
            resnets.add(new ResnetBlock2D(w.at("resnets." + j), in + skip, out, tembChannels, groups, eps, 1.0));
            if (attention != null) {
                attentions.add(new Transformer2DModel(w.at("attentions." + j), out, attention));
            }
        }
        this.upsampler = addUpsample ? new Upsample2D(w.at("upsamplers.0"), out) : null;
    }

    public UpBlock2D(StateDict w, long prev, long skipIn, long out, int layers, int tembChannels, int groups,
                     float eps, boolean addUpsample) {
        this(w, prev, skipIn, out, layers, tembChannels, groups, eps, addUpsample, null);
    }

    /** Consumes its skip connections from the end of {@code skips}; upsamples to the size of the next one. */
    public NDArray forward(NDArray x, Deque<NDArray> skips, NDArray temb, NDArray context) {
        try (Scope scope = Scope.of(x, temb, context)) {
            NDArray h = x;
            for (int j = 0; j < resnets.size(); j++) {
                h = resnets.get(j).forward(NDArrays.concat(new NDList(h, skips.removeLast()), 1), temb);
                if (!attentions.isEmpty()) {
                    h = attentions.get(j).forward(h, context);
                }
            }
            if (upsampler != null) {
                Shape next = skips.isEmpty() ? null : skips.peekLast().getShape();
                h = next == null ? upsampler.forward(h) : upsampler.forward(h, next.get(2), next.get(3));
            }
            return scope.keep(h);
        }
    }

    /**
     * {@link #forward} as checkpointed stages on {@code tape}: one per resnet (on the concatenated skip), transformer
     * and upsampler.
     */
    public int forward(StageTape tape, int x, Deque<Integer> skips, int temb, int context) {
        int h = x;
        for (int j = 0; j < resnets.size(); j++) {
            ResnetBlock2D resnet = resnets.get(j);
            h = tape.run(in -> new NDList(resnet.forward(NDArrays.concat(new NDList(in.get(0), in.get(1)), 1),
                    in.get(2))), h, skips.removeLast(), temb)[0];
            if (!attentions.isEmpty()) {
                Transformer2DModel attention = attentions.get(j);
                h = tape.run(in -> new NDList(attention.forward(in.get(0), in.get(1))), h, context)[0];
            }
        }
        if (upsampler != null) {
            Shape next = skips.isEmpty() ? null : tape.value(skips.peekLast()).getShape();
            h = tape.run(in -> new NDList(next == null ? upsampler.forward(in.get(0))
                    : upsampler.forward(in.get(0), next.get(2), next.get(3))), h)[0];
        }
        return h;
    }

    public List<Transformer2DModel> attentions() {
        return attentions;
    }
}
