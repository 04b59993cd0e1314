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
 * branch adds {@code alpha/rank · B·A·x}, PEFT's scaling) through arrays made in the step's manager. On a float32
 * model these are views of the masters: made under autograd, they pass gradients to the masters; made per step,
 * they never outlive an optimizer update that changes the masters in place (libtorch refuses a view from before an
 * in-place change, e.g. the 1×1-kernel form a convolution target uses).
 *
 * <p>On a float16 model (mixed precision, for GPUs) half activations cannot mix with float32 factors, and DJL's
 * dtype cast is not differentiable, so this is mixed precision the classic way ("master weights"): each binding
 * attaches half copies of the masters that are leaves of their own; when the binding closes after backward, their
 * gradients are widened to float32 and added to per-factor sums, which {@link #gradients} returns.
 */
public final class TrainableLora implements Trainable, AutoCloseable {

    private final LoraAdapter adapter;
    private final StableDiffusionModel model;
    private final DataType computeType;
    private final Map<String, NDArray> unet = new LinkedHashMap<>();
    private final Map<String, NDArray> textEncoder = new LinkedHashMap<>();
    /** Float32 gradient sums of the half copies (float16 models only), by PEFT key. */
    private final Map<String, NDArray> halfGradients = new LinkedHashMap<>();
    private final NDManager manager;

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
        this.manager = adapter.modules().get(0).down().getManager().newSubManager();
        if (computeType != DataType.FLOAT32) {
            parameters().forEach((name, p) -> halfGradients.put(name, manager.zeros(p.getShape(), DataType.FLOAT32)));
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
    @Override
    public Map<String, NDArray> parameters() {
        Map<String, NDArray> all = new LinkedHashMap<>(unet);
        all.putAll(textEncoder);
        return all;
    }

    /**
     * Attaches the current factors to the model until the returned handle is closed, through arrays made in
     * {@code step}; under autograd (a collector open) backward reaches the masters' gradients.
     */
    @Override
    public Binding bind(NDManager step) {
        boolean half = computeType != DataType.FLOAT32;
        boolean collecting = JniUtils.isGradMode();
        Map<String, NDArray> trained = parameters();
        Map<String, NDArray> copies = new LinkedHashMap<>();
        List<Map.Entry<LoraTarget, LoraBranch>> added = new ArrayList<>();
        for (LoraModule m : adapter.modules()) {
            String key = m.peftName();
            NDArray down = forward(m.down(), step, half);
            NDArray up = forward(m.up(), step, half);
            if (half && trained.containsKey(key + ".lora_A.weight")) {
                down.setRequiresGradient(true);
                up.setRequiresGradient(true);
                copies.put(key + ".lora_A.weight", down);
                copies.put(key + ".lora_B.weight", up);
            }
            LoraTarget target = m.component().targets(model).get(m.path());
            LoraBranch branch = new LoraBranch(adapter.name() + ":" + key, down, up, m.alpha(), 1f);
            target.addLora(branch);
            added.add(Map.entry(target, branch));
        }
        return () -> {
            added.forEach(e -> e.getKey().removeLora(e.getValue()));
            if (collecting) {
                copies.forEach((name, copy) -> {
                    try (NDArray g = copy.getGradient(); NDArray wide = g.toType(DataType.FLOAT32, false)) {
                        halfGradients.get(name).addi(wide);
                    }
                });
            }
        };
    }

    /** The master as the forward takes it, owned by {@code step}: a view, or a half-precision copy. */
    private static NDArray forward(NDArray master, NDManager step, boolean half) {
        NDArray v = half ? master.toType(DataType.FLOAT16, false) : master.reshape(master.getShape());
        v.attach(step);
        return v;
    }

    /** The accumulated gradient of every trained factor, by PEFT key, as float32 arrays attached to {@code into}. */
    @Override
    public Map<String, NDArray> gradients(NDManager into) {
        Map<String, NDArray> grads = new LinkedHashMap<>();
        parameters().forEach((name, p) -> {
            NDArray g = halfGradients.isEmpty() ? p.getGradient() : halfGradients.get(name).duplicate();
            g.attach(into);
            grads.put(name, g);
        });
        return grads;
    }

    /** Clears the accumulated gradients (autograd adds each backward's gradient to them). */
    @Override
    public void zeroGradients() {
        if (halfGradients.isEmpty()) {
            parameters().values().forEach(p -> JniUtils.zeroGrad((PtNDArray) p));
        } else {
            halfGradients.replaceAll((name, g) -> {
                NDArray zeros = manager.zeros(g.getShape(), DataType.FLOAT32);
                g.close();   // not g·0: a skipped overflow step leaves inf/NaN, which no multiply clears
                return zeros;
            });
        }
    }

    /** Stops the factors requiring gradients; the adapter and its factors stay. */
    @Override
    public void close() {
        for (LoraModule m : adapter.modules()) {
            m.down().setRequiresGradient(false);
            m.up().setRequiresGradient(false);
        }
        manager.close();
    }
}
