package ai.booth.diffusion.train;

import ai.booth.diffusion.nn.Ops;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;

import java.util.Map;

/**
 * One optimizer step of LoRA training, in two halves so gradients can be accumulated over micro-batches:
 * {@link #accumulate} runs forward and backward for a batch (adding to the factors' gradients), {@link #apply}
 * unscales (mixed precision), clips and applies AdamW, then clears the gradients. Every tensor of a half lives in
 * a sub-manager closed at its end.
 */
public final class TrainingStep {

    /** Loss values of one micro-batch; prior is NaN without prior preservation. */
    public record Losses(float total, float instance, float prior) { }

    /** What an update did: the gradient norm before clipping (NaN if not clipped) and whether it was skipped. */
    public record Update(double gradNorm, boolean skipped) { }

    private final TrainableLora lora;
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
        this.lora = lora;
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

    public TrainableLora lora() {
        return lora;
    }

    /**
     * Forward and backward of {@code weight · loss(batch)} (weight = 1 / accumulation steps). The batch's arrays
     * may live anywhere; temporaries are freed before returning.
     */
    public Losses accumulate(TrainingBatch batch, double weight) {
        NDManager parent = batch.latents().getManager();
        try (NDManager step = parent.newSubManager();
             GradientCollector collector = Engine.getEngine("PyTorch").newGradientCollector();
             TrainableLora.Binding bound = lora.bind(step)) {
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
            return new Losses(terms.total().getFloat(), terms.instance().getFloat(),
                    terms.prior() == null ? Float.NaN : terms.prior().getFloat());
        }
    }

    /**
     * Applies the accumulated gradients with each group's learning rate for this step (autograd off), then clears
     * them. With mixed precision a step with overflowing gradients is skipped (the scaler backs off).
     */
    public Update apply(double[] lrs) {
        try (NDManager step = NDManager.newBaseManager(lora.adapter().modules().get(0).down().getDevice())) {
            Map<String, NDArray> grads = lora.gradients(step);
            boolean finite = scaler.unscale(grads.values());
            double norm = Double.NaN;
            if (finite) {
                if (maxGradNorm > 0) {
                    norm = GradientClipping.clip(grads.values(), maxGradNorm);
                }
                optimizer.step(lrs, grads);
            }
            lora.zeroGradients();
            return new Update(norm, !finite);
        }
    }
}
