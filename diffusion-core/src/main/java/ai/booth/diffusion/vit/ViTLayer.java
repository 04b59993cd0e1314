package ai.booth.diffusion.vit;

import ai.booth.diffusion.nn.Activations;
import ai.booth.diffusion.nn.Attention;
import ai.booth.diffusion.nn.LayerNorm;
import ai.booth.diffusion.nn.Linear;
import ai.booth.diffusion.nn.Ops;
import ai.booth.diffusion.nn.Scope;
import ai.booth.diffusion.nn.StateDict;
import ai.djl.ndarray.NDArray;

import java.util.function.UnaryOperator;

/**
 * transformers' ViTLayer: pre-norm like CLIP's layer, under ViT's names — x + attention(layernorm_before(x)), then
 * x + output.dense(act(intermediate.dense(layernorm_after(x)))).
 */
final class ViTLayer {

    private final int heads;
    private final float scale;
    private final LayerNorm before;
    private final Linear query;
    private final Linear key;
    private final Linear value;
    private final Linear attentionOut;
    private final LayerNorm after;
    private final Linear intermediate;
    private final Linear output;
    private final UnaryOperator<NDArray> act;

    ViTLayer(StateDict w, ViTConfig config) {
        int dim = config.hiddenSize();
        float eps = (float) config.layerNormEps();
        this.heads = config.numAttentionHeads();
        this.scale = (float) Math.pow(config.headDim(), -0.5);
        this.before = new LayerNorm(w.at("layernorm_before"), dim, eps);
        StateDict self = w.at("attention.attention");
        this.query = new Linear(self.at("query"), dim, dim, config.qkvBias());
        this.key = new Linear(self.at("key"), dim, dim, config.qkvBias());
        this.value = new Linear(self.at("value"), dim, dim, config.qkvBias());
        this.attentionOut = new Linear(w.at("attention.output.dense"), dim, dim, true);
        this.after = new LayerNorm(w.at("layernorm_after"), dim, eps);
        this.intermediate = new Linear(w.at("intermediate.dense"), dim, config.intermediateSize(), true);
        this.output = new Linear(w.at("output.dense"), config.intermediateSize(), dim, true);
        this.act = Activations.byName(config.hiddenAct());
    }

    NDArray forward(NDArray x) {
        try (Scope scope = Scope.of(x)) {
            NDArray n = before.forward(x);
            NDArray attended = Attention.multiHead(query.forward(n), key.forward(n), value.forward(n), heads, null,
                    scale);
            NDArray h = Ops.add(attentionOut.forward(attended), x);
            h = Ops.add(output.forward(act.apply(intermediate.forward(after.forward(h)))), h);
            return scope.keep(h);
        }
    }
}
