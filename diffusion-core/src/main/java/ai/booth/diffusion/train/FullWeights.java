package ai.booth.diffusion.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every weight of one network trained directly (full DreamBooth fine-tune): the network's own float32 arrays require
 * gradients and AdamW updates them in place, so there is nothing to bind. The network must be a trainable copy
 * ({@link ai.booth.diffusion.loader.OwnedCopies}): libtorch-owned and writable. Parameters are named
 * {@code <component>.<checkpoint key>} (e.g. {@code unet.conv_in.weight}).
 */
public final class FullWeights implements Trainable, AutoCloseable {

    private final String component;
    private final Map<String, NDArray> weights = new LinkedHashMap<>();

    /**
     * @param component the network's name ({@code unet}, {@code text_encoder}), the prefix of parameter names
     * @param weights   its weights by checkpoint key (float32)
     */
    public FullWeights(String component, Map<String, NDArray> weights) {
        this.component = component;
        weights.forEach((key, w) -> {
            if (w.getDataType() != DataType.FLOAT32) {
                throw new IllegalArgumentException("full fine-tuning needs float32 weights, " + key + " is "
                        + w.getDataType());
            }
            this.weights.put(component + "." + key, w);
        });
        this.weights.values().forEach(w -> w.setRequiresGradient(true));
    }

    public String component() {
        return component;
    }

    @Override
    public Map<String, NDArray> parameters() {
        return weights;
    }

    /** The weights are the network's own: a forward under autograd already reaches them. */
    @Override
    public Binding bind(NDManager step) {
        return () -> { };
    }

    @Override
    public Map<String, NDArray> gradients(NDManager into) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        weights.forEach((name, w) -> {
            NDArray g = w.getGradient();   // zeros for a weight no backward reached
            g.attach(into);
            out.put(name, g);
        });
        return out;
    }

    @Override
    public void zeroGradients() {
        weights.values().forEach(w -> JniUtils.zeroGrad((PtNDArray) w));
    }

    /** Stops the weights requiring gradients; they keep their trained values. */
    @Override
    public void close() {
        weights.values().forEach(w -> w.setRequiresGradient(false));
    }
}
