package ai.booth.diffusion.train;

import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.lora.AttachedLora;
import ai.booth.diffusion.lora.LoraAdapter;
import ai.booth.diffusion.lora.LoraComponent;
import ai.booth.diffusion.lora.LoraModule;
import ai.booth.diffusion.nn.LoraBranch;
import ai.booth.diffusion.nn.LoraTarget;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The factors of a {@link LoraAdapter} being trained on a model: float32 "master" tensors that require gradients,
 * named by their PEFT keys ({@code unet.<module>.lora_A.weight}, ...). The base model's weights never require
 * gradients and are never written.
 *
 * <p>How the factors reach the forward depends on the model's dtype. A float32 model gets the adapter attached
 * once, at scale 1 (so a branch adds {@code alpha/rank · B·A·x}, PEFT's scaling), for the trainer's lifetime.
 * A float16 model (mixed precision on a GPU) cannot mix float32 factors into half activations, so
 * {@link #bind} attaches half-precision casts of the masters for one step; made under autograd, the casts pass
 * gradients back to the float32 masters.
 */
public final class TrainableLora implements AutoCloseable {

    private final LoraAdapter adapter;
    private final StableDiffusionModel model;
    private final DataType computeType;
    private final Map<String, NDArray> unet = new LinkedHashMap<>();
    private final Map<String, NDArray> textEncoder = new LinkedHashMap<>();
    private final AttachedLora attached;

    /**
     * @param trainTextEncoder whether the adapter's text-encoder modules are trained; if not they stay attached but
     *                         frozen (so text embeddings may be cached)
     */
    public TrainableLora(LoraAdapter adapter, StableDiffusionModel model, boolean trainTextEncoder) {
        this.adapter = adapter;
        this.model = model;
        this.computeType = model.options().dtype();
        for (LoraModule m : adapter.modules()) {
            for (NDArray factor : List.of(m.down(), m.up())) {
                if (factor.getDataType() != DataType.FLOAT32) {
                    throw new IllegalArgumentException("LoRA " + m.peftName() + " holds " + factor.getDataType()
                            + " factors; training needs float32 masters (create the adapter with LoraAdapter.create or "
                            + "load it on a float32 model)");
                }
            }
            boolean trained = m.component() == LoraComponent.UNET || trainTextEncoder;
            if (trained) {
                Map<String, NDArray> group = m.component() == LoraComponent.UNET ? unet : textEncoder;
                group.put(m.peftName() + ".lora_A.weight", m.down());
                group.put(m.peftName() + ".lora_B.weight", m.up());
                m.down().setRequiresGradient(true);
                m.up().setRequiresGradient(true);
            }
        }
        if (unet.isEmpty() && textEncoder.isEmpty()) {
            throw new IllegalArgumentException("LoRA '" + adapter.name() + "' has no module to train");
        }
        this.attached = computeType == DataType.FLOAT32 ? adapter.attach(model, 1f, 1f) : null;
    }

    public LoraAdapter adapter() {
        return adapter;
    }

    /** Whether text-encoder factors are trained (then the text encoder runs under autograd). */
    public boolean trainsTextEncoder() {
        return !textEncoder.isEmpty();
    }

    /** The trained UNet factors by PEFT key. */
    public Map<String, NDArray> unetParameters() {
        return unet;
    }

    /** The trained text-encoder factors by PEFT key (empty when the text encoder is frozen). */
    public Map<String, NDArray> textEncoderParameters() {
        return textEncoder;
    }

    /** Every trained factor by PEFT key, UNet first. */
    public Map<String, NDArray> parameters() {
        Map<String, NDArray> all = new LinkedHashMap<>(unet);
        all.putAll(textEncoder);
        return all;
    }

    /**
     * Makes the current factors part of the next forwards until the returned handle is closed: nothing to do for a
     * float32 model; for a float16 model, half casts made in {@code step} (under autograd when a collector is open).
     */
    public Binding bind(NDManager step) {
        if (attached != null) {
            return () -> { };
        }
        List<Map.Entry<LoraTarget, LoraBranch>> added = new ArrayList<>();
        for (LoraModule m : adapter.modules()) {
            LoraTarget target = m.component().targets(model).get(m.path());
            NDArray down = m.down().toType(computeType, false);
            NDArray up = m.up().toType(computeType, false);
            down.attach(step);
            up.attach(step);
            LoraBranch branch = new LoraBranch(adapter.name() + ":" + m.peftName(), down, up, m.alpha(), 1f);
            target.addLora(branch);
            added.add(Map.entry(target, branch));
        }
        return () -> added.forEach(e -> e.getKey().removeLora(e.getValue()));
    }

    /** The accumulated gradient of every trained factor, by PEFT key, as arrays attached to {@code manager}. */
    public Map<String, NDArray> gradients(NDManager manager) {
        Map<String, NDArray> grads = new LinkedHashMap<>();
        parameters().forEach((name, p) -> {
            NDArray g = p.getGradient();
            g.attach(manager);
            grads.put(name, g);
        });
        return grads;
    }

    /** Clears the accumulated gradients (autograd adds each backward's gradient to them). */
    public void zeroGradients() {
        parameters().values().forEach(p -> JniUtils.zeroGrad((PtNDArray) p));
    }

    /** A {@link #bind}ing, undone by closing. */
    public interface Binding extends AutoCloseable {
        @Override
        void close();
    }

    /** Detaches from the model (a float32 model); the adapter and its factors stay. */
    @Override
    public void close() {
        if (attached != null) {
            attached.close();
        }
        for (LoraModule m : adapter.modules()) {
            m.down().setRequiresGradient(false);
            m.up().setRequiresGradient(false);
        }
    }
}
