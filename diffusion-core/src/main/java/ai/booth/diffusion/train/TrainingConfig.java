package ai.booth.diffusion.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every hyper-parameter of a DreamBooth LoRA job, with diffusers' {@code train_dreambooth_lora.py} defaults unless
 * noted. Serialised as is into checkpoints and {@code metadata.json}.
 *
 * @param instancePrompt       prompt of the subject's photos, e.g. "a photo of sks dog" (a photo's own caption in a
 *                             {@code .txt} next to it wins)
 * @param classPrompt          prompt of the class images, e.g. "a photo of dog"; required with prior preservation
 * @param priorPreservation    add the class-prior loss (DreamBooth's prior preservation)
 * @param priorLossWeight      λ of the prior loss (1.0)
 * @param rank                 LoRA rank (4)
 * @param alpha                LoRA alpha; branches add alpha/rank · B·A·x (default = rank, scale 1, as diffusers)
 * @param trainTextEncoder     also train LoRA on the text encoder's attention projections (Booth: true)
 * @param loraTargets          "attention" (attn1/attn2 to_q/k/v/out.0; CLIP q/k/v/out_proj) or "transformer"
 *                             (kohya's wider set: also feed-forward, proj_in/out and the CLIP MLP)
 * @param lrUnet               AdamW learning rate of the UNet factors (1e-4), or of every UNet weight in mode full
 *                             (5e-6), as diffusers' train_dreambooth_lora and train_dreambooth
 * @param lrTextEncoder        learning rate of the text-encoder factors (5e-5)
 * @param beta1                AdamW β₁ (0.9)
 * @param beta2                AdamW β₂ (0.999)
 * @param adamEps              AdamW ε (1e-8)
 * @param weightDecay          decoupled weight decay (1e-2)
 * @param lrSchedule           constant, constant_with_warmup, linear, cosine, cosine_with_restarts, polynomial
 * @param warmupSteps          warmup optimizer steps (0)
 * @param lrCycles             cosine cycles; NaN for the schedule's default
 * @param lrPower              polynomial power (1.0)
 * @param maxSteps             optimizer steps to train (500); ignored when {@code epochs} &gt; 0
 * @param epochs               train this many passes over the data instead (0 = use maxSteps)
 * @param batchSize            instance examples per micro-batch (1); with prior preservation as many class examples
 *                             are added
 * @param gradientAccumulation micro-batches per optimizer step (1)
 * @param maxGradNorm          global gradient-norm clip (1.0); 0 = off
 * @param noiseOffset          offset noise (Guttenberg 2023; kohya's and diffusers' {@code --noise_offset}): this
 *                             times one N(0, 1) per latent channel added to the training noise, so the model learns
 *                             to change an image's overall colour — the low frequencies the schedule's non-zero
 *                             terminal SNR leaks from the start noise; 0 (default) = off
 * @param snrGamma             Min-SNR-γ loss weighting (Hang et al. 2023; diffusers' {@code --snr_gamma}, kohya's
 *                             {@code --min_snr_gamma}): each instance example's error weighted by
 *                             min(SNR(t), γ) / SNR(t) (+ 1 for v-prediction, as diffusers), so the many easy
 *                             low-noise steps stop dominating and training converges faster; 5 is the paper's value;
 *                             0 (default) = off, the plain mean
 * @param seed                 the one seed of the job: LoRA init, latent sampling, data order, flips, noise, timesteps
 * @param resolution           training image size in pixels (512); images are centre-cropped and resized to it
 * @param randomFlip           mirror examples at random (both orientations are encoded once and cached)
 * @param latentSampling       "sample" (diffusers: a fresh draw from the cached VAE posterior per use) or "mean"
 * @param clipSkip             text-encoder layer to condition on (1 = last)
 * @param mixedPrecision       "no" (float32) or "fp16" (float16 forward, float32 master factors, loss scaling; GPU)
 * @param checkpointEvery      write a resumable checkpoint every N optimizer steps (0 = never)
 * @param checkpointsToKeep    keep only the newest N checkpoints (0 = all)
 * @param validationEvery      render the validation prompts every N steps and after the last (0 = never)
 * @param validationPrompts    prompts for validation images
 * @param validationSeed       seed of the validation images (fixed, so they are comparable over steps)
 * @param datasetId            the dataset this job trains on (provenance only)
 * @param mode                 "lora" (DreamBooth LoRA), "full" (every UNet weight, and the text encoder's with
 *                             trainTextEncoder: a new model), "textual_inversion" (new token embeddings only) or
 *                             "pivotal" (new token embeddings and a LoRA together); default "pivotal" when newTokens
 *                             are given, else "lora"
 * @param newTokens            tokens to add and learn, e.g. [&lt;s1&gt;, &lt;s2&gt;] (one embedding vector each);
 *                             matched literally in prompts
 * @param initializerToken     word whose embedding starts the new rows (cycled over its tokens); null = random at
 *                             the scale of the existing embeddings
 * @param lrEmbeddings         AdamW learning rate of the new rows (1e-3)
 * @param weightDecayEmbeddings decoupled weight decay of the new rows (0)
 * @param gradientCheckpointing recompute the UNet block by block in backward instead of keeping its activations
 *                             (less memory for about one more forward; the same gradients)
 */
public record TrainingConfig(
        String instancePrompt, String classPrompt, boolean priorPreservation, double priorLossWeight,
        int rank, float alpha, boolean trainTextEncoder, String loraTargets,
        double lrUnet, double lrTextEncoder, double beta1, double beta2, double adamEps, double weightDecay,
        String lrSchedule, int warmupSteps, double lrCycles, double lrPower,
        int maxSteps, int epochs, int batchSize, int gradientAccumulation, double maxGradNorm, double noiseOffset,
        double snrGamma, long seed, int resolution, boolean randomFlip, String latentSampling, int clipSkip, String mixedPrecision,
        int checkpointEvery, int checkpointsToKeep, int validationEvery, List<String> validationPrompts,
        long validationSeed, String datasetId,
        String mode, List<String> newTokens, String initializerToken, double lrEmbeddings,
        double weightDecayEmbeddings, boolean gradientCheckpointing) {

    public static final List<String> LORA_TARGETS = List.of("attention", "transformer");
    public static final List<String> LATENT_SAMPLING = List.of("sample", "mean");
    public static final List<String> MIXED_PRECISION = List.of("no", "fp16");
    public static final List<String> MODES = List.of("lora", "full", "textual_inversion", "pivotal");
    /** The UNet learning rate when none is given: diffusers' train_dreambooth_lora (LoRA factors) and train_dreambooth (every weight). */
    public static final double LORA_LR_UNET = 1e-4;
    public static final double FULL_LR_UNET = 5e-6;

    /** The UNet learning rate of a mode when none is given (CLI, API and Kafka requests alike). */
    public static double defaultLrUnet(String mode) {
        return "full".equalsIgnoreCase(mode) ? FULL_LR_UNET : LORA_LR_UNET;
    }
    private static final Pattern BRACKETED = Pattern.compile("<[^<>\\s]+>");

    public TrainingConfig {
        require(instancePrompt != null && !instancePrompt.isBlank(), "instancePrompt", "must be given", instancePrompt);
        require(!priorPreservation || classPrompt != null && !classPrompt.isBlank(), "classPrompt",
                "is required with prior preservation", classPrompt);
        require(priorLossWeight >= 0, "priorLossWeight", "must be >= 0", priorLossWeight);
        require(rank >= 1, "rank", "must be >= 1", rank);
        require(alpha > 0, "alpha", "must be > 0", alpha);
        loraTargets = choice("loraTargets", loraTargets, LORA_TARGETS);
        require(lrUnet >= 0 && lrTextEncoder >= 0, "lrUnet/lrTextEncoder", "must be >= 0", lrUnet + "/" + lrTextEncoder);
        require(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "beta1/beta2", "must be in [0, 1)",
                beta1 + "/" + beta2);
        require(adamEps > 0, "adamEps", "must be > 0", adamEps);
        require(weightDecay >= 0, "weightDecay", "must be >= 0", weightDecay);
        lrSchedule = choice("lrSchedule", lrSchedule, LrSchedule.NAMES);
        require(warmupSteps >= 0, "warmupSteps", "must be >= 0", warmupSteps);
        require(lrPower > 0, "lrPower", "must be > 0", lrPower);
        require(epochs > 0 || maxSteps >= 1, "maxSteps", "must be >= 1 (or give epochs)", maxSteps);
        require(epochs >= 0, "epochs", "must be >= 0", epochs);
        require(batchSize >= 1, "batchSize", "must be >= 1", batchSize);
        require(gradientAccumulation >= 1, "gradientAccumulation", "must be >= 1", gradientAccumulation);
        require(maxGradNorm >= 0, "maxGradNorm", "must be >= 0 (0 = no clipping)", maxGradNorm);
        require(noiseOffset >= 0 && noiseOffset <= 1, "noiseOffset", "must be 0 to 1 (0 = off)", noiseOffset);
        require(snrGamma >= 0 && Double.isFinite(snrGamma), "snrGamma", "must be >= 0 (0 = off)", snrGamma);
        require(resolution >= 8 && resolution % 8 == 0, "resolution", "must be a positive multiple of 8", resolution);
        latentSampling = choice("latentSampling", latentSampling, LATENT_SAMPLING);
        require(clipSkip >= 1, "clipSkip", "must be >= 1", clipSkip);
        mixedPrecision = choice("mixedPrecision", mixedPrecision, MIXED_PRECISION);
        require(checkpointEvery >= 0 && checkpointsToKeep >= 0, "checkpointEvery/checkpointsToKeep", "must be >= 0",
                checkpointEvery + "/" + checkpointsToKeep);
        validationPrompts = validationPrompts == null ? List.of() : List.copyOf(validationPrompts);
        require(validationEvery >= 0, "validationEvery", "must be >= 0", validationEvery);
        require(validationEvery == 0 || !validationPrompts.isEmpty(), "validationPrompts",
                "are needed when validationEvery > 0", validationPrompts);
        newTokens = newTokens == null ? List.of() : List.copyOf(newTokens);
        require(newTokens.stream().distinct().count() == newTokens.size()
                && newTokens.stream().allMatch(t -> !t.isBlank() && t.strip().equals(t)), "newTokens",
                "must be distinct non-blank names without spaces", newTokens);
        mode = mode == null ? (newTokens.isEmpty() ? "lora" : "pivotal") : mode.toLowerCase(Locale.ROOT);
        require(MODES.contains(mode), "mode", "must be one of " + MODES, mode);
        boolean learnsTokens = mode.equals("textual_inversion") || mode.equals("pivotal");
        require(learnsTokens != newTokens.isEmpty(), "newTokens",
                learnsTokens ? "are required in mode " + mode : "need mode textual_inversion or pivotal", newTokens);
        require(!mode.equals("full") || mixedPrecision.equals("no"), "mixedPrecision",
                "must be 'no' in mode full (full fine-tuning trains float32 weights)", mixedPrecision);
        require(lrEmbeddings >= 0 && weightDecayEmbeddings >= 0, "lrEmbeddings/weightDecayEmbeddings",
                "must be >= 0", lrEmbeddings + "/" + weightDecayEmbeddings);
    }

    /** Whether validation images are rendered after {@code step}: every validationEvery steps, and the last. */
    public boolean validatesAt(int step, int totalSteps) {
        return validationEvery > 0 && (step % validationEvery == 0 || step == totalSteps);
    }

    /** Whether a LoRA is trained (modes lora and pivotal). */
    public boolean trainsLora() {
        return mode.equals("lora") || mode.equals("pivotal");
    }

    /** Whether the model's own weights are trained (mode full): the result is a new model, not an adapter. */
    public boolean fullFineTune() {
        return mode.equals("full");
    }

    /**
     * New token names from a command-line value: {@code <s1><s2>} (every bracketed name) or names separated by
     * commas or spaces.
     */
    public static List<String> parseTokens(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        if (value.contains("<")) {
            Matcher m = BRACKETED.matcher(value);
            List<String> out = new ArrayList<>();
            while (m.find()) {
                out.add(m.group());
            }
            String rest = BRACKETED.matcher(value).replaceAll("").replace(",", "").strip();
            require(rest.isEmpty() && !out.isEmpty(), "newTokens", "must be names like <s1><s2>", value);
            return out;
        }
        return List.of(value.strip().split("[,\\s]+"));
    }

    private static void require(boolean ok, String field, String rule, Object value) {
        if (!ok) {
            throw new IllegalArgumentException("training config: " + field + " " + rule + ", got " + value);
        }
    }

    private static String choice(String field, String value, List<String> allowed) {
        String v = value == null ? allowed.get(0) : value.toLowerCase(Locale.ROOT);
        require(allowed.contains(v), field, "must be one of " + allowed, value);
        return v;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Defaults as documented on {@link TrainingConfig}; set at least the instance prompt. */
    public static final class Builder {
        private String instancePrompt;
        private String classPrompt;
        private boolean priorPreservation = true;
        private double priorLossWeight = 1.0;
        private int rank = 4;
        private Float alpha;
        private boolean trainTextEncoder = true;
        private String loraTargets = "attention";
        private Double lrUnet;
        private boolean gradientCheckpointing;
        private double lrTextEncoder = 5e-5;
        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double adamEps = 1e-8;
        private double weightDecay = 1e-2;
        private String lrSchedule = LrSchedule.DEFAULT;
        private int warmupSteps;
        private double lrCycles = Double.NaN;
        private double lrPower = 1.0;
        private int maxSteps = 500;
        private int epochs;
        private int batchSize = 1;
        private int gradientAccumulation = 1;
        private double maxGradNorm = 1.0;
        private double noiseOffset;
        private double snrGamma;
        private long seed;
        private int resolution = 512;
        private boolean randomFlip;
        private String latentSampling = "sample";
        private int clipSkip = 1;
        private String mixedPrecision = "no";
        private int checkpointEvery;
        private int checkpointsToKeep;
        private int validationEvery;
        private List<String> validationPrompts = List.of();
        private long validationSeed;
        private String datasetId;
        private String mode;
        private List<String> newTokens = List.of();
        private String initializerToken;
        private double lrEmbeddings = 1e-3;
        private double weightDecayEmbeddings;

        public Builder instancePrompt(String v) { instancePrompt = v; return this; }
        public Builder classPrompt(String v) { classPrompt = v; return this; }
        public Builder priorPreservation(boolean v) { priorPreservation = v; return this; }
        public Builder priorLossWeight(double v) { priorLossWeight = v; return this; }
        public Builder rank(int v) { rank = v; return this; }
        public Builder alpha(float v) { alpha = v; return this; }
        public Builder trainTextEncoder(boolean v) { trainTextEncoder = v; return this; }
        public Builder loraTargets(String v) { loraTargets = v; return this; }
        public Builder lrUnet(double v) { lrUnet = v; return this; }
        public Builder lrTextEncoder(double v) { lrTextEncoder = v; return this; }
        public Builder betas(double b1, double b2) { beta1 = b1; beta2 = b2; return this; }
        public Builder adamEps(double v) { adamEps = v; return this; }
        public Builder weightDecay(double v) { weightDecay = v; return this; }
        public Builder lrSchedule(String v) { lrSchedule = v; return this; }
        public Builder warmupSteps(int v) { warmupSteps = v; return this; }
        public Builder lrCycles(double v) { lrCycles = v; return this; }
        public Builder lrPower(double v) { lrPower = v; return this; }
        public Builder maxSteps(int v) { maxSteps = v; return this; }
        public Builder epochs(int v) { epochs = v; return this; }
        public Builder batchSize(int v) { batchSize = v; return this; }
        public Builder gradientAccumulation(int v) { gradientAccumulation = v; return this; }
        public Builder maxGradNorm(double v) { maxGradNorm = v; return this; }
        public Builder noiseOffset(double v) { noiseOffset = v; return this; }
        public Builder snrGamma(double v) { snrGamma = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder resolution(int v) { resolution = v; return this; }
        public Builder randomFlip(boolean v) { randomFlip = v; return this; }
        public Builder latentSampling(String v) { latentSampling = v; return this; }
        public Builder clipSkip(int v) { clipSkip = v; return this; }
        public Builder mixedPrecision(String v) { mixedPrecision = v; return this; }
        public Builder checkpointEvery(int v) { checkpointEvery = v; return this; }
        public Builder checkpointsToKeep(int v) { checkpointsToKeep = v; return this; }
        public Builder validationEvery(int v) { validationEvery = v; return this; }
        public Builder validationPrompts(List<String> v) { validationPrompts = v; return this; }
        public Builder validationSeed(long v) { validationSeed = v; return this; }
        public Builder datasetId(String v) { datasetId = v; return this; }
        public Builder mode(String v) { mode = v; return this; }
        public Builder newTokens(List<String> v) { newTokens = v; return this; }
        public Builder initializerToken(String v) { initializerToken = v; return this; }
        public Builder lrEmbeddings(double v) { lrEmbeddings = v; return this; }
        public Builder weightDecayEmbeddings(double v) { weightDecayEmbeddings = v; return this; }
        public Builder gradientCheckpointing(boolean v) { gradientCheckpointing = v; return this; }

        public TrainingConfig build() {
            return new TrainingConfig(instancePrompt, classPrompt, priorPreservation, priorLossWeight, rank,
                    alpha == null ? rank : alpha, trainTextEncoder, loraTargets,
                    lrUnet != null ? lrUnet : defaultLrUnet(mode), lrTextEncoder, beta1, beta2,
                    adamEps, weightDecay, lrSchedule, warmupSteps, lrCycles, lrPower, maxSteps, epochs, batchSize,
                    gradientAccumulation, maxGradNorm, noiseOffset, snrGamma, seed, resolution, randomFlip, latentSampling, clipSkip,
                    mixedPrecision, checkpointEvery, checkpointsToKeep, validationEvery, validationPrompts,
                    validationSeed, datasetId, mode, newTokens, initializerToken, lrEmbeddings,
                    weightDecayEmbeddings, gradientCheckpointing);
        }
    }
}
