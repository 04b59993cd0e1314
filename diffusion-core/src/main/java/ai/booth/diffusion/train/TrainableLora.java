package ai.booth.diffusion.train;

import ai.booth.diffusion.loader.StableDiffusionModel;
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
 * <p>The factors join a forward through {@link #bind}: for one step, every module is attached at scale 1 (so a
 * branch adds {@code alpha/rank · B·A·x}, PEFT's scaling) through views of the masters made in the step's
 * manager — casts to half precision on a float16 model (mixed precision on a GPU), since half activations cannot
 * mix with float32 factors. Made under autograd, views and casts pass gradients back to the masters; made per
 * step, they never outlive an optimizer update that changes the masters in place (libtorch refuses a view from
 * before an in-place change, e.g. the 1×1-kernel form a convolution target uses).
 */
public final class TrainableLora implements AutoCloseable {

    private final LoraAdapter adapter;
    private final StableDiffusionModel model;
    private final DataType computeType;
    private final Map<String, NDArray> unet = new LinkedHashMap<>();
    private final Map<String, NDArray> textEncoder = new LinkedHashMap<>();

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
     * Attaches the current factors to the model until the returned handle is closed, through views (or half casts)
     * made in {@code step} — under autograd when a collector is open, so backward reaches the masters.
     */
    public Binding bind(NDManager step) {
        List<Map.Entry<LoraTarget, LoraBranch>> added = new ArrayList<>();
        for (LoraModule m : adapter.modules()) {
            LoraTarget target = m.component().targets(model).get(m.path());
            NDArray down = forward(m.down(), step);
            NDArray up = forward(m.up(), step);
            LoraBranch branch = new LoraBranch(adapter.name() + ":" + m.peftName(), down, up, m.alpha(), 1f);
            target.addLora(branch);
            added.add(Map.entry(target, branch));
        }
        return () -> added.forEach(e -> e.getKey().removeLora(e.getValue()));
    }

    /** A view of a master in the compute dtype, owned by {@code step}. */
    private NDArray forward(NDArray master, NDManager step) {
        NDArray v = computeType == master.getDataType() ? master.reshape(master.getShape())
                : master.toType(computeType, false);
        v.attach(step);
        return v;
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

    /** Stops the factors requiring gradients; the adapter and its factors stay. */
    @Override
    public void close() {
        for (LoraModule m : adapter.modules()) {
            m.down().setRequiresGradient(false);
            m.up().setRequiresGradient(false);
        }
    }
}
