package ai.booth.diffusion.unet;

import ai.booth.diffusion.nn.Scope;
import ai.booth.diffusion.nn.StateDict;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;

import java.util.ArrayDeque;
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
        Deque<NDArray> mine = new ArrayDeque<>();
        for (int j = 0; j < resnets.size(); j++) {
            mine.addFirst(skips.removeLast());
        }
        return forward(x, mine, skips.isEmpty() ? null : skips.peekLast().getShape(), temb, context);
    }

    /**
     * The same on exactly this block's {@link #layers()} skips (consumed from the end), upsampling to {@code next}'s
     * height and width (the next block's deepest skip), or by 2 when null.
     */
    public NDArray forward(NDArray x, Deque<NDArray> skips, Shape next, NDArray temb, NDArray context) {
        try (Scope scope = Scope.of(x, temb, context)) {
            NDArray h = x;
            for (int j = 0; j < resnets.size(); j++) {
                h = resnets.get(j).forward(NDArrays.concat(new NDList(h, skips.removeLast()), 1), temb);
                if (!attentions.isEmpty()) {
                    h = attentions.get(j).forward(h, context);
                }
            }
            if (upsampler != null) {
                h = next == null ? upsampler.forward(h) : upsampler.forward(h, next.get(2), next.get(3));
            }
            return scope.keep(h);
        }
    }

    /** How many skip connections it consumes: one per resnet. */
    public int layers() {
        return resnets.size();
    }

    public List<Transformer2DModel> attentions() {
        return attentions;
    }
}
