package ai.booth.diffusion.unet;

import ai.booth.diffusion.nn.Scope;
import ai.booth.diffusion.nn.StageTape;
import ai.booth.diffusion.nn.StateDict;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

import java.util.ArrayList;
import java.util.List;

/** The bottleneck: resnet, then (transformer, resnet) once; resnets scaled by mid_block_scale_factor. */
public final class UNetMidBlock2DCrossAttn {

    private final List<ResnetBlock2D> resnets = new ArrayList<>();
    private final List<Transformer2DModel> attentions = new ArrayList<>();

    public UNetMidBlock2DCrossAttn(StateDict w, long channels, int tembChannels, int groups, float eps,
                                   double outputScale, Transformer2DModel.Spec attention) {
        resnets.add(new ResnetBlock2D(w.at("resnets.0"), channels, channels, tembChannels, groups, eps, outputScale));
        attentions.add(new Transformer2DModel(w.at("attentions.0"), channels, attention));
        resnets.add(new ResnetBlock2D(w.at("resnets.1"), channels, channels, tembChannels, groups, eps, outputScale));
    }

    public NDArray forward(NDArray x, NDArray temb, NDArray context) {
        try (Scope scope = Scope.of(x, temb, context)) {
            NDArray h = resnets.get(0).forward(x, temb);
            for (int i = 0; i < attentions.size(); i++) {
                h = attentions.get(i).forward(h, context);
                h = resnets.get(i + 1).forward(h, temb);
            }
            return scope.keep(h);
        }
    }

    /** {@link #forward} as checkpointed stages on {@code tape}: one per resnet and transformer. */
    public int forward(StageTape tape, int x, int temb, int context) {
        int h = resnet(tape, 0, x, temb);
        for (int i = 0; i < attentions.size(); i++) {
            Transformer2DModel attention = attentions.get(i);
            h = tape.run(in -> new NDList(attention.forward(in.get(0), in.get(1))), h, context)[0];
            h = resnet(tape, i + 1, h, temb);
        }
        return h;
    }

    private int resnet(StageTape tape, int i, int x, int temb) {
        ResnetBlock2D resnet = resnets.get(i);
        return tape.run(in -> new NDList(resnet.forward(in.get(0), in.get(1))), x, temb)[0];
    }

    public List<Transformer2DModel> attentions() {
        return attentions;
    }
}
