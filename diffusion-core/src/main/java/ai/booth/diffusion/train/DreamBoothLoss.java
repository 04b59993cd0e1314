package ai.booth.diffusion.train;

import ai.booth.diffusion.nn.Ops;
import ai.booth.diffusion.nn.StageTape;
import ai.booth.diffusion.scheduler.Scheduler;
import ai.booth.diffusion.unet.UNet2DConditionModel;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

/**
 * The DreamBooth objective (Ruiz et al. 2023, eq. 2, as diffusers' train_dreambooth_lora): noise the latents at the
 * given timesteps on the training schedule, let the UNet predict the noise (or v, for v-prediction models) and take
 * the mean squared error in float32 — on the instance part of the batch, plus λ times the error on the class
 * ("prior preservation") part. With Min-SNR-γ ({@link TrainingConfig#snrGamma}) the instance part is a weighted mean
 * of its examples' errors, as diffusers weights it; the class part stays the plain mean, as there.
 */
public final class DreamBoothLoss {

    /**
     * The loss and its two terms (scalars; prior is null when the batch has no class part). With gradient
     * checkpointing a backward of {@code total} reaches the prediction only: {@link #finishBackward} then takes it
     * through the UNet (and on into the text); without, it does nothing.
     */
    public record Terms(NDArray total, NDArray instance, NDArray prior, Runnable finishBackward) {
        Terms(NDArray total, NDArray instance, NDArray prior) {
            this(total, instance, prior, () -> { });
        }
    }

    private final UNet2DConditionModel unet;
    private final Scheduler schedule;
    private final String predictionType;
    private final double priorLossWeight;
    private final boolean checkpointing;
    private final double snrGamma;

    /**
     * @param schedule        the training noise schedule (the model's scheduler config as DDPM), whose
     *                        {@code prediction_type} sets the target
     * @param priorLossWeight λ, the weight of the class-prior term
     */
    public DreamBoothLoss(UNet2DConditionModel unet, Scheduler schedule, double priorLossWeight) {
        this(unet, schedule, priorLossWeight, false);
    }

    /**
     * @param checkpointing gradient checkpointing: the UNet keeps only its stages' boundaries in forward and runs
     *                      each stage again in backward (less memory, about one more forward of compute)
     */
    public DreamBoothLoss(UNet2DConditionModel unet, Scheduler schedule, double priorLossWeight,
                          boolean checkpointing) {
        this(unet, schedule, priorLossWeight, checkpointing, 0);
    }

    /** @param snrGamma Min-SNR-γ weighting of the instance examples' errors; 0 = off (the plain mean) */
    public DreamBoothLoss(UNet2DConditionModel unet, Scheduler schedule, double priorLossWeight,
                          boolean checkpointing, double snrGamma) {
        if (!(snrGamma >= 0) || !Double.isFinite(snrGamma)) {
            throw new IllegalArgumentException("snrGamma must be >= 0 (0 = off), got " + snrGamma);
        }
        this.snrGamma = snrGamma;
        this.unet = unet;
        this.checkpointing = checkpointing;
        this.schedule = schedule;
        Object type = schedule.config().values().getOrDefault("prediction_type", "epsilon");
        this.predictionType = String.valueOf(type);
        if (!predictionType.equals("epsilon") && !predictionType.equals("v_prediction")) {
            throw new IllegalArgumentException("training supports prediction_type epsilon and v_prediction, the "
                    + "scheduler config says '" + predictionType + "'");
        }
        if (!(priorLossWeight >= 0)) {
            throw new IllegalArgumentException("prior loss weight must be >= 0, got " + priorLossWeight);
        }
        this.priorLossWeight = priorLossWeight;
    }

    public String predictionType() {
        return predictionType;
    }

    /** √ᾱ_t·latents + √(1−ᾱ_t)·noise: what the UNet sees. */
    public NDArray noisyLatents(NDArray latents, NDArray noise, NDArray timesteps) {
        return schedule.addNoise(latents, noise, timesteps);
    }

    /**
     * @param latents       [B, C, h, w] scaled latents: the instance examples first, then the class examples
     * @param noise         [B, C, h, w]
     * @param timesteps     [B] integer training timesteps
     * @param text          [B, tokens, width] text-encoder hidden states of each example's prompt
     * @param instanceCount how many leading examples are instance examples (B for no prior preservation)
     */
    public Terms compute(NDArray latents, NDArray noise, NDArray timesteps, NDArray text, int instanceCount) {
        long batch = latents.getShape().get(0);
        if (instanceCount < 1 || instanceCount > batch) {
            throw new IllegalArgumentException("instance count " + instanceCount + " must be 1.." + batch);
        }
        NDArray noisy = noisyLatents(latents, noise, timesteps);
        if (checkpointing) {
            return checkpointed(noisy, latents, noise, timesteps, text, instanceCount);
        }
        return terms(Ops.toFloat32(unet.forward(noisy, timesteps, text)), latents, noise, timesteps, instanceCount);
    }

    private Terms checkpointed(NDArray noisy, NDArray latents, NDArray noise, NDArray timesteps, NDArray text,
                               int instanceCount) {
        StageTape tape = new StageTape(noisy.getManager());
        int context = tape.input(text, true); // its gradient is taken on into the text encoder when that trains
        int output = unet.forward(tape, noisy, timesteps, context);
        NDArray predicted = tape.value(output).duplicate(); // the leaf the loss's backward ends at
        predicted.attach(noisy.getManager());               // with the loss terms, which outlive the tape
        predicted.setRequiresGradient(true);
        Terms terms = terms(Ops.toFloat32(predicted), latents, noise, timesteps, instanceCount);
        return new Terms(terms.total(), terms.instance(), terms.prior(), () -> {
            try (tape; NDArray g = predicted.getGradient()) {
                NDArray textGradient = tape.backward(output, g).get(context);
                if (textGradient != null) {
                    StageTape.backward(text, textGradient, false);
                }
            }
        });
    }

    private Terms terms(NDArray prediction, NDArray latents, NDArray noise, NDArray timesteps, int instanceCount) {
        long batch = latents.getShape().get(0);
        NDArray target = predictionType.equals("epsilon") ? noise : schedule.getVelocity(latents, noise, timesteps);
        target = target.toType(DataType.FLOAT32, false);
        if (instanceCount == batch) {
            NDArray loss = instanceLoss(prediction, target, timesteps);
            return new Terms(loss, loss, null);
        }
        NDIndex instances = new NDIndex("0:" + instanceCount);
        NDIndex classes = new NDIndex(instanceCount + ":");
        NDArray instance = instanceLoss(prediction.get(instances), target.get(instances), timesteps);
        NDArray prior = mse(prediction.get(classes), target.get(classes));
        return new Terms(instance.add(Ops.scale(prior, (float) priorLossWeight)), instance, prior);
    }

    /**
     * The instance examples' error: the plain mean, or with Min-SNR-γ Σ_i w_i · mse_i / n, w_i = min(SNR(t_i), γ) /
     * SNR(t_i) (+ 1 for v-prediction: diffusers' train_dreambooth). Each weight is a float scaling its example's
     * error ({@link Ops#scale}: libtorch-owned, so backward can use it).
     */
    private NDArray instanceLoss(NDArray prediction, NDArray target, NDArray timesteps) {
        if (snrGamma == 0) {
            return mse(prediction, target);
        }
        int n = (int) prediction.getShape().get(0);
        float[] t = timesteps.toType(DataType.FLOAT32, false).toFloatArray();
        NDArray sum = null;
        for (int i = 0; i < n; i++) {
            float snr = schedule.schedule().snr((int) t[i]);
            double weight = Math.min(snr, snrGamma) / snr + (predictionType.equals("epsilon") ? 0 : 1);
            NDArray term = Ops.scale(mse(prediction.get(i), target.get(i)), (float) (weight / n));
            sum = sum == null ? term : sum.add(term);
        }
        return sum;
    }

    private static NDArray mse(NDArray prediction, NDArray target) {
        return prediction.sub(target).square().mean();
    }
}
