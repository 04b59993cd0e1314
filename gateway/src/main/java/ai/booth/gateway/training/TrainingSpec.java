package ai.booth.gateway.training;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

/**
 * The body of {@code POST /api/v1/trainings}. Only {@code baseModel}, {@code datasetId} and {@code classNoun} are
 * required; the rest defaults as diffusers' train_dreambooth_lora does (see {@link TrainingRequests}).
 */
@Schema(description = "A DreamBooth training: a LoRA adapter, or (mode full) every UNet weight, which becomes a new"
        + " base model. Absent fields take the documented defaults.")
public record TrainingSpec(
        @Schema(description = "installed base model id (GET /api/v1/models)", required = true) String baseModel,
        @Schema(description = "a READY dataset of yours", required = true) String datasetId,
        @Schema(description = "rare token bound to the subject", defaultValue = "sks") String instanceToken,
        @Schema(description = "the subject's class, e.g. dog", required = true) String classNoun,
        @Schema(description = "default: a photo of <token> <class>") String instancePrompt,
        @Schema(description = "default: a photo of <class>") String classPrompt,
        @Schema(defaultValue = "true") Boolean priorPreservation,
        @Schema(description = "0-10", defaultValue = "1.0") Double priorLossWeight,
        @Schema(description = "class images for prior preservation, 1-1000", defaultValue = "100")
        Integer classImageCount,
        @Schema(description = "multiple of 8 in 64-2048; default: the dataset's resolution") Integer resolution,
        @Schema(description = "1-20000", defaultValue = "500") Integer maxTrainSteps,
        @Schema(description = "1-16", defaultValue = "1") Integer batchSize,
        @Schema(description = "LoRA rank 1-128 (mode lora only)", defaultValue = "4") Integer rank,
        @Schema(description = "LoRA alpha (0, 1024]; default: the rank (mode lora only)") Double alpha,
        @Schema(description = "(0, 0.01]; default: 1e-4 for a LoRA, 5e-6 for a full fine-tune (as diffusers'"
                + " scripts)") Double unetLearningRate,
        @Schema(description = "[0, 0.01]; 0 keeps the text encoder frozen", defaultValue = "0")
        Double textEncoderLearningRate,
        @Schema(defaultValue = "constant") String lrScheduler,
        @Schema(description = "0-maxTrainSteps", defaultValue = "0") Integer lrWarmupSteps,
        @Schema(description = ">= 0", defaultValue = "0") Long seed,
        @Schema(description = "save a checkpoint every this many steps; 0 none", defaultValue = "0")
        Integer checkpointInterval,
        @Schema(description = "render validation prompts every this many steps; 0 none; default: a quarter of the"
                + " steps when validation prompts are given") Integer validationInterval,
        @Schema(description = "up to 4 prompts rendered during training") List<String> validationPrompts,
        @Schema(description = "http(s) URL that receives the result as a signed POST") String callbackUrl,
        @Schema(description = "lora: an adapter; full: every UNet weight trains (and the text encoder's when its"
                + " learning rate is above 0) and the result is installed as base model ft-<trainingId>"
                + " (GET /api/v1/models), usable with LoRAs of its base; pivotal: new tokens (newTokens) learned"
                + " together with a LoRA, whose generations load them; textual_inversion: the new tokens only (use"
                + " the training in a generation's embeddings). Default: pivotal with newTokens, else lora",
                enumeration = {"lora", "full", "pivotal", "textual_inversion"}) String mode,
        @Schema(description = "recompute the UNet block by block in backward: less memory (a full SD-1.5 fine-tune"
                + " at 512 px fits 24 GB on CPU), slower steps (about 1.5x), the same gradients",
                defaultValue = "false") Boolean gradientCheckpointing,
        @Schema(description = "up to 8 new tokens to learn, e.g. [\"<s1>\", \"<s2>\"] (pivotal tuning, textual"
                + " inversion): each 1-32 characters without spaces, distinct; together they"
                + " replace instanceToken (default instancePrompt: a photo of <s1><s2> <class>)")
        List<String> newTokens,
        @Schema(description = "a word whose embedding starts the new tokens' (e.g. style, dog); default: random at"
                + " the embeddings' scale") String initializerToken,
        @Schema(description = "learning rate of the new tokens' embeddings, (0, 0.1]", defaultValue = "1e-3")
        Double lrEmbeddings,
        @Schema(description = "score every validation step and the final adapter with the DreamBooth paper's DINO,"
                + " CLIP-I (against the dataset's photos) and CLIP-T (against the prompt): needs validation prompts"
                + " and a clip and a dino encoder installed (POST /api/v1/models?kind=encoder). Default: on when"
                + " both hold") Boolean evaluate,
        @Schema(description = "keep the adapter of the validation step scoring best on this metric instead of the"
                + " last step's (needs evaluation; not for mode full). Default: the last",
                enumeration = {"dino", "clip_i", "clip_t"}) String selectBy,
        @Schema(description = "offset noise, [0, 1]: a per-channel constant of this scale added to the training"
                + " noise, so very dark or bright images can be learnt (kohya's noise_offset; 0.05-0.1 is usual)",
                defaultValue = "0") Double noiseOffset,
        @Schema(description = "Min-SNR-γ loss weighting, [0, 20] (diffusers' snr_gamma; 5 recommended): faster,"
                + " steadier convergence; 0 = off", defaultValue = "0") Double snrGamma) {
}
