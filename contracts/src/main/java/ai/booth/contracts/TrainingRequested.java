package ai.booth.contracts;

import java.util.List;

/**
 * Train a subject ("a photo of sks dog") on a ready dataset with DreamBooth: a LoRA adapter, or (mode {@code full})
 * a fine-tune of every UNet weight that becomes a new base model.
 *
 * @param trainingId                 the job; also the envelope's correlation id
 * @param baseModel                  base model id, an object prefix in {@link Buckets#MODELS}
 * @param datasetId                  a dataset that is ready
 * @param instanceToken              rare token bound to the subject, e.g. "sks"
 * @param classNoun                  the subject's class, e.g. "dog"
 * @param instancePrompt             caption for instance images, e.g. "a photo of sks dog"
 * @param classPrompt                caption for class (prior) images, e.g. "a photo of dog"
 * @param priorPreservation          whether to train with class prior preservation
 * @param priorLossWeight            weight of the prior loss
 * @param classImageCount            class images to generate (or reuse) for prior preservation
 * @param resolution                 training resolution in pixels (square)
 * @param maxTrainSteps              optimizer steps
 * @param batchSize                  images per step
 * @param rank                       LoRA rank
 * @param alpha                      LoRA alpha (scale = alpha / rank)
 * @param unetLearningRate           learning rate of the UNet LoRA
 * @param textEncoderLearningRate    learning rate of the text-encoder LoRA; 0 keeps the text encoder frozen
 * @param lrScheduler                e.g. constant, cosine, linear
 * @param lrWarmupSteps              warm-up steps of the scheduler
 * @param seed                       random seed for noise, timesteps and dropout
 * @param checkpointInterval         save a checkpoint every this many steps; 0 saves none
 * @param validationInterval         render the validation prompts every this many steps; 0 renders none
 * @param validationPrompts          prompts rendered for validation
 * @param mode                       {@code lora}, {@code full}: every UNet weight trains (and the text encoder's when
 *                                   its learning rate is above 0; rank and alpha unused), {@code pivotal}: new token
 *                                   embeddings and a LoRA together, or {@code textual_inversion}: the embeddings only;
 *                                   null means pivotal when newTokens are given, else lora
 * @param gradientCheckpointing      recompute the UNet block by block in backward: less memory (a full SD-1.5
 *                                   fine-tune fits 24 GB), slower steps, the same gradients; null means off
 * @param newTokens                  tokens added to the text encoder and learned (modes pivotal and
 *                                   textual_inversion), e.g. [&lt;s1&gt;, &lt;s2&gt;]; prompts name them literally
 * @param initializerToken           word whose embedding starts the new rows; null: random at the embeddings' scale
 * @param lrEmbeddings               learning rate of the new rows; null: the engine's default (1e-3)
 * @param evaluate                   score each validation step's images with the DreamBooth paper's metrics (DINO,
 *                                   CLIP-I against the dataset's images, CLIP-T against the prompts) and the final
 *                                   adapter; needs validation prompts and the installed evaluation encoders; null
 *                                   means on when both encoders are installed and there are validation prompts
 * @param selectBy                   keep the adapter of the scored validation step best on this metric (one of
 *                                   {@link EvalScores#METRICS}) instead of the last step's; needs evaluation, not for
 *                                   mode full; null keeps the last
 * @param noiseOffset                offset noise (Guttenberg; kohya's {@code --noise_offset}): a per-channel constant
 *                                   of this scale added to the training noise, so very dark or bright images can be
 *                                   learnt; null or 0 = off
 * @param snrGamma                   Min-SNR-γ loss weighting (Hang et al. 2023; diffusers' {@code --snr_gamma},
 *                                   5 recommended): faster, steadier convergence; null or 0 = off
 */
@Topic(Topics.TRAINING_REQUESTED)
public record TrainingRequested(String trainingId, String baseModel, String datasetId, String instanceToken,
                                String classNoun, String instancePrompt, String classPrompt,
                                boolean priorPreservation, double priorLossWeight, int classImageCount,
                                int resolution, int maxTrainSteps, int batchSize, int rank, double alpha,
                                double unetLearningRate, double textEncoderLearningRate, String lrScheduler,
                                int lrWarmupSteps, long seed, int checkpointInterval, int validationInterval,
                                List<String> validationPrompts, @Nullable String mode,
                                @Nullable Boolean gradientCheckpointing, @Nullable List<String> newTokens,
                                @Nullable String initializerToken, @Nullable Double lrEmbeddings,
                                @Nullable Boolean evaluate, @Nullable String selectBy, @Nullable Double noiseOffset,
                                @Nullable Double snrGamma) implements Payload {

    public static final String LORA = "lora";
    public static final String FULL = "full";
    public static final String PIVOTAL = "pivotal";
    public static final String TEXTUAL_INVERSION = "textual_inversion";
    /** The modes a request may name. */
    public static final List<String> MODES = List.of(LORA, FULL, PIVOTAL, TEXTUAL_INVERSION);

    public TrainingRequested {
        newTokens = newTokens == null ? List.of() : List.copyOf(newTokens);
    }

    /** A training with plain noise and loss (the contract before {@code noiseOffset} and {@code snrGamma}). */
    public TrainingRequested(String trainingId, String baseModel, String datasetId, String instanceToken,
                             String classNoun, String instancePrompt, String classPrompt, boolean priorPreservation,
                             double priorLossWeight, int classImageCount, int resolution, int maxTrainSteps,
                             int batchSize, int rank, double alpha, double unetLearningRate,
                             double textEncoderLearningRate, String lrScheduler, int lrWarmupSteps, long seed,
                             int checkpointInterval, int validationInterval, List<String> validationPrompts,
                             String mode, Boolean gradientCheckpointing, List<String> newTokens,
                             String initializerToken, Double lrEmbeddings, Boolean evaluate, String selectBy) {
        this(trainingId, baseModel, datasetId, instanceToken, classNoun, instancePrompt, classPrompt,
                priorPreservation, priorLossWeight, classImageCount, resolution, maxTrainSteps, batchSize, rank, alpha,
                unetLearningRate, textEncoderLearningRate, lrScheduler, lrWarmupSteps, seed, checkpointInterval,
                validationInterval, validationPrompts, mode, gradientCheckpointing, newTokens, initializerToken,
                lrEmbeddings, evaluate, selectBy, null, null);
    }

    /** A training that keeps its last step (the contract before {@code selectBy} existed). */
    public TrainingRequested(String trainingId, String baseModel, String datasetId, String instanceToken,
                             String classNoun, String instancePrompt, String classPrompt, boolean priorPreservation,
                             double priorLossWeight, int classImageCount, int resolution, int maxTrainSteps,
                             int batchSize, int rank, double alpha, double unetLearningRate,
                             double textEncoderLearningRate, String lrScheduler, int lrWarmupSteps, long seed,
                             int checkpointInterval, int validationInterval, List<String> validationPrompts,
                             String mode, Boolean gradientCheckpointing, List<String> newTokens,
                             String initializerToken, Double lrEmbeddings, Boolean evaluate) {
        this(trainingId, baseModel, datasetId, instanceToken, classNoun, instancePrompt, classPrompt,
                priorPreservation, priorLossWeight, classImageCount, resolution, maxTrainSteps, batchSize, rank, alpha,
                unetLearningRate, textEncoderLearningRate, lrScheduler, lrWarmupSteps, seed, checkpointInterval,
                validationInterval, validationPrompts, mode, gradientCheckpointing, newTokens, initializerToken,
                lrEmbeddings, evaluate, null, null, null);
    }

    /** A training that evaluates when it can (the contract before {@code evaluate} existed). */
    public TrainingRequested(String trainingId, String baseModel, String datasetId, String instanceToken,
                             String classNoun, String instancePrompt, String classPrompt, boolean priorPreservation,
                             double priorLossWeight, int classImageCount, int resolution, int maxTrainSteps,
                             int batchSize, int rank, double alpha, double unetLearningRate,
                             double textEncoderLearningRate, String lrScheduler, int lrWarmupSteps, long seed,
                             int checkpointInterval, int validationInterval, List<String> validationPrompts,
                             String mode, Boolean gradientCheckpointing, List<String> newTokens,
                             String initializerToken, Double lrEmbeddings) {
        this(trainingId, baseModel, datasetId, instanceToken, classNoun, instancePrompt, classPrompt,
                priorPreservation, priorLossWeight, classImageCount, resolution, maxTrainSteps, batchSize, rank, alpha,
                unetLearningRate, textEncoderLearningRate, lrScheduler, lrWarmupSteps, seed, checkpointInterval,
                validationInterval, validationPrompts, mode, gradientCheckpointing, newTokens, initializerToken,
                lrEmbeddings, null);
    }

    /** A training without new tokens (the contract before {@code newTokens} existed). */
    public TrainingRequested(String trainingId, String baseModel, String datasetId, String instanceToken,
                             String classNoun, String instancePrompt, String classPrompt, boolean priorPreservation,
                             double priorLossWeight, int classImageCount, int resolution, int maxTrainSteps,
                             int batchSize, int rank, double alpha, double unetLearningRate,
                             double textEncoderLearningRate, String lrScheduler, int lrWarmupSteps, long seed,
                             int checkpointInterval, int validationInterval, List<String> validationPrompts,
                             String mode, Boolean gradientCheckpointing) {
        this(trainingId, baseModel, datasetId, instanceToken, classNoun, instancePrompt, classPrompt,
                priorPreservation, priorLossWeight, classImageCount, resolution, maxTrainSteps, batchSize, rank, alpha,
                unetLearningRate, textEncoderLearningRate, lrScheduler, lrWarmupSteps, seed, checkpointInterval,
                validationInterval, validationPrompts, mode, gradientCheckpointing, null, null, null);
    }

    /** A LoRA training (the contract before {@code mode} existed). */
    public TrainingRequested(String trainingId, String baseModel, String datasetId, String instanceToken,
                             String classNoun, String instancePrompt, String classPrompt, boolean priorPreservation,
                             double priorLossWeight, int classImageCount, int resolution, int maxTrainSteps,
                             int batchSize, int rank, double alpha, double unetLearningRate,
                             double textEncoderLearningRate, String lrScheduler, int lrWarmupSteps, long seed,
                             int checkpointInterval, int validationInterval, List<String> validationPrompts) {
        this(trainingId, baseModel, datasetId, instanceToken, classNoun, instancePrompt, classPrompt,
                priorPreservation, priorLossWeight, classImageCount, resolution, maxTrainSteps, batchSize, rank, alpha,
                unetLearningRate, textEncoderLearningRate, lrScheduler, lrWarmupSteps, seed, checkpointInterval,
                validationInterval, validationPrompts, null, null, null, null, null);
    }

    /** A training without gradient checkpointing (the contract before {@code gradientCheckpointing} existed). */
    public TrainingRequested(String trainingId, String baseModel, String datasetId, String instanceToken,
                             String classNoun, String instancePrompt, String classPrompt, boolean priorPreservation,
                             double priorLossWeight, int classImageCount, int resolution, int maxTrainSteps,
                             int batchSize, int rank, double alpha, double unetLearningRate,
                             double textEncoderLearningRate, String lrScheduler, int lrWarmupSteps, long seed,
                             int checkpointInterval, int validationInterval, List<String> validationPrompts,
                             String mode) {
        this(trainingId, baseModel, datasetId, instanceToken, classNoun, instancePrompt, classPrompt,
                priorPreservation, priorLossWeight, classImageCount, resolution, maxTrainSteps, batchSize, rank, alpha,
                unetLearningRate, textEncoderLearningRate, lrScheduler, lrWarmupSteps, seed, checkpointInterval,
                validationInterval, validationPrompts, mode, null, null, null, null);
    }

    /** Whether the UNet is recomputed in backward to save memory. */
    public boolean checkpointsGradients() {
        return Boolean.TRUE.equals(gradientCheckpointing);
    }

    /** The mode the trainer runs: as named, else {@link #defaultMode}. */
    public String effectiveMode() {
        return mode != null ? mode : defaultMode(newTokens);
    }

    /** The mode of a request that names none: pivotal when it learns new tokens, else lora. */
    public static String defaultMode(List<String> newTokens) {
        return newTokens == null || newTokens.isEmpty() ? LORA : PIVOTAL;
    }

    /** Whether no LoRA is trained, only new token embeddings (the result is an embedding file). */
    public boolean textualInversion() {
        return TEXTUAL_INVERSION.equals(mode);
    }

    /** Whether validation images are rendered (what an evaluation scores). */
    public boolean validates() {
        return !validationPrompts.isEmpty() && validationInterval > 0;
    }

    /** The words CLIP-T removes from a prompt: the rare token, or the new tokens. */
    public List<String> subjectTokens() {
        if (!newTokens.isEmpty()) {
            return newTokens;
        }
        return instanceToken == null || instanceToken.isBlank() ? List.of() : List.of(instanceToken);
    }

    /** Whether every UNet weight trains (the result is a new base model, not an adapter). */
    public boolean fullFineTune() {
        return FULL.equals(mode);
    }
}
