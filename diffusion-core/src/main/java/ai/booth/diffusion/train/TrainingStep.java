package ai.booth.diffusion.train;

import ai.booth.diffusion.nn.Ops;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One optimizer step of LoRA and/or textual-inversion training, in two halves so gradients can be accumulated over micro-batches:
 * {@link #accumulate} runs forward and backward for a batch (adding to the factors' gradients), {@link #apply}
 * unscales (mixed precision), clips and applies AdamW, then clears the gradients. Every tensor of a half lives in
 * a sub-manager closed at its end.
 */
public final class TrainingStep {

    /** Loss values of one micro-batch; prior is NaN without prior preservation. */
    public record Losses(float total, float instance, float prior) { }

    /** What an update did: the gradient norm before clipping (NaN if not clipped) and whether it was skipped. */
    public record Update(double gradNorm, boolean skipped) { }

    private final List<Trainable> trained;
    private final PromptEncoder prompts;
    private final DreamBoothLoss loss;
    private final AdamW optimizer;
    private final double maxGradNorm;
    private final LossScaler scaler;
    /** Runs between forward and backward; the stress test collects garbage and closes managers there. */
    private Runnable beforeBackward = () -> { };

    /** @param maxGradNorm global gradient-norm limit; 0 or less for no clipping */
    public TrainingStep(TrainableLora lora, PromptEncoder prompts, DreamBoothLoss loss, AdamW optimizer,
                        double maxGradNorm, LossScaler scaler) {
        this(List.of(lora), prompts, loss, optimizer, maxGradNorm, scaler);
    }

    /**
     * @param trained what the step trains (a LoRA, new token rows, or both); clipping takes all their gradients
     *                together
     */
    public TrainingStep(List<Trainable> trained, PromptEncoder prompts, DreamBoothLoss loss, AdamW optimizer,
                        double maxGradNorm, LossScaler scaler) {
        if (trained.isEmpty()) {
            throw new IllegalArgumentException("a training step needs something to train");
        }
        this.trained = List.copyOf(trained);
        this.prompts = prompts;
        this.loss = loss;
        this.optimizer = optimizer;
        this.maxGradNorm = maxGradNorm;
        this.scaler = scaler;
    }

    void beforeBackward(Runnable hook) {
        this.beforeBackward = hook;
    }

    public AdamW optimizer() {
        return optimizer;
    }

    public LossScaler scaler() {
        return scaler;
    }

    /** The LoRA trained, or null (textual inversion alone). */
    public TrainableLora lora() {
        return part(TrainableLora.class);
    }

    /** The new token rows trained, or null (LoRA alone). */
    public TrainableEmbeddings embeddings() {
        return part(TrainableEmbeddings.class);
    }

    private <T> T part(Class<T> type) {
        return trained.stream().filter(type::isInstance).map(type::cast).findFirst().orElse(null);
    }

    /** Every trained tensor by name, in the order of the parts. */
    public Map<String, NDArray> parameters() {
        Map<String, NDArray> all = new LinkedHashMap<>();
        trained.forEach(t -> all.putAll(t.parameters()));
        return all;
    }

    /**
     * Forward and backward of {@code weight · loss(batch)} (weight = 1 / accumulation steps). The batch's arrays
     * may live anywhere; temporaries are freed before returning.
     */
    public Losses accumulate(TrainingBatch batch, double weight) {
        NDManager parent = batch.latents().getManager();
        try (NDManager step = parent.newSubManager();
             GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector();
             Bindings bound = new Bindings(trained, step)) {
            // Results attach to their first operand's manager: borrow the inputs so everything lands in `step`.
            batch.latents().tempAttach(step);
            batch.noise().tempAttach(step);
            batch.timesteps().tempAttach(step);
            NDArray text = prompts.encode(batch.prompts(), step);
            DreamBoothLoss.Terms terms = loss.compute(batch.latents(), batch.noise(), batch.timesteps(), text,
                    batch.instanceCount());
            NDArray objective = Ops.scale(terms.total(), (float) (weight * scaler.scale()));
            beforeBackward.run();
            collector.backward(objective);
            terms.finishBackward().run();
            return new Losses(terms.total().getFloat(), terms.instance().getFloat(),
                    terms.prior() == null ? Float.NaN : terms.prior().getFloat());
        }
    }

    /**
     * Applies the accumulated gradients with each group's learning rate for this step (autograd off), then clears
     * them. With mixed precision a step with overflowing gradients is skipped (the scaler backs off).
     */
    public Update apply(double[] lrs) {
        try (NDManager step = NDManager.newBaseManager(parameters().values().iterator().next().getDevice())) {
            Map<String, NDArray> grads = new LinkedHashMap<>();
            trained.forEach(t -> grads.putAll(t.gradients(step)));
            boolean finite = scaler.unscale(grads.values());
            double norm = Double.NaN;
            if (finite) {
                if (maxGradNorm > 0) {
                    norm = GradientClipping.clip(grads.values(), maxGradNorm);
                }
                optimizer.step(lrs, grads);
            }
            trained.forEach(Trainable::zeroGradients);
            return new Update(norm, !finite);
        }
    }

    /** Every part bound for one forward, unbound together (in reverse) on close. */
    private static final class Bindings implements AutoCloseable {
        private final List<Trainable.Binding> bound = new ArrayList<>();

        Bindings(List<Trainable> trained, NDManager step) {
            try {
                trained.forEach(t -> bound.add(t.bind(step)));
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        @Override
        public void close() {
            for (int i = bound.size() - 1; i >= 0; i--) {
                bound.get(i).close();
            }
        }
    }
}
