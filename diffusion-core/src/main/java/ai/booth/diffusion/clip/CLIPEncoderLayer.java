package ai.booth.diffusion.clip;

import ai.booth.diffusion.nn.Activations;
import ai.booth.diffusion.nn.LayerNorm;
import ai.booth.diffusion.nn.Linear;
import ai.booth.diffusion.nn.Ops;
import ai.booth.diffusion.nn.Scope;
import ai.booth.diffusion.nn.StateDict;
import ai.djl.ndarray.NDArray;

import java.util.function.UnaryOperator;

/** Pre-norm transformer layer: x + attn(ln1(x)), then x + fc2(act(fc1(ln2(x)))). */
final class CLIPEncoderLayer {

    private final LayerNorm norm1;
    private final CLIPAttention attention;
    private final LayerNorm norm2;
    private final Linear fc1;
    private final Linear fc2;
    private final UnaryOperator<NDArray> act;

    CLIPEncoderLayer(StateDict w, CLIPEncoderConfig config) {
        float eps = (float) config.layerNormEps();
        int dim = config.hiddenSize();
        this.norm1 = new LayerNorm(w.at("layer_norm1"), dim, eps);
        this.attention = new CLIPAttention(w.at("self_attn"), config);
        this.norm2 = new LayerNorm(w.at("layer_norm2"), dim, eps);
        this.fc1 = new Linear(w.at("mlp.fc1"), dim, config.intermediateSize(), true);
        this.fc2 = new Linear(w.at("mlp.fc2"), config.intermediateSize(), dim, true);
        this.act = Activations.byName(config.hiddenAct());
    }

    NDArray forward(NDArray x, NDArray mask) {
        try (Scope scope = Scope.of(x)) {
            NDArray h = Ops.add(attention.forward(norm1.forward(x), mask), x);
            h = Ops.add(fc2.forward(act.apply(fc1.forward(norm2.forward(h)))), h);
            return scope.keep(h);
        }
    }
}
