package ai.booth.contracts.rules;

import ai.booth.contracts.EvalScores;
import ai.booth.contracts.TrainingRequested;

import java.util.Optional;

/**
 * The one set of bounds and defaults of a DreamBooth LoRA training, whichever door it comes through: the gateway's
 * field checks and trainer-service's request check use these. LR schedule names belong to the engine
 * and its default ({@code ai.booth.diffusion.train.LrSchedule}), which contracts cannot see.
 */
public final class TrainingRules {

    public static final Range MAX_TRAIN_STEPS = new Range(1, 20_000);
    public static final Range BATCH_SIZE = new Range(1, 16);
    public static final Range RANK = new Range(1, 128);
    /** LoRA alpha: (0, max]. */
    public static final double MAX_ALPHA = 1024;
    /** UNet learning rate: (0, max]. */
    public static final double MAX_UNET_LEARNING_RATE = 1e-2;
    /** Text-encoder learning rate: [0, max]; 0 keeps the text encoder frozen. */
    public static final Range TEXT_ENCODER_LEARNING_RATE = new Range(0, 1e-2);
    public static final Range PRIOR_LOSS_WEIGHT = new Range(0, 10);
    public static final int MAX_CLASS_IMAGES = 1000;
    /** Training resolution: multiples of {@link GenerationRules#PIXEL_MULTIPLE} in this range. */
    public static final Range RESOLUTION = GenerationRules.SIZE;
    public static final int MAX_VALIDATION_PROMPTS = 4;
    public static final int MAX_CLASS_NOUN_LENGTH = 64;
    /** New tokens of a pivotal / textual-inversion training (one embedding vector each). */
    public static final int MAX_NEW_TOKENS = 8;
    /** Learning rate of new token embeddings: (0, max]. */
    public static final double MAX_EMBEDDING_LEARNING_RATE = 0.1;

    /** Offset noise's scale: [0, max]; 0 = off (kohya's recipes use 0.0357–0.1). */
    public static final Range NOISE_OFFSET = new Range(0, 1);
    /** Min-SNR-γ: [0, max]; 0 = off (the paper's and diffusers' recommendation: 5). */
    public static final Range SNR_GAMMA = new Range(0, 20);

    /** Why {@code evaluate: true} is refused without validation: the scores are the validation images'. */
    public static final String EVALUATE_NEEDS_VALIDATION = "evaluate scores the validation images: give"
            + " validationPrompts and a validationInterval above 0";

    /**
     * What is wrong with a request's {@code selectBy}, if anything: a metric of {@link EvalScores#METRICS}, for an
     * adapter (a full fine-tune keeps its last step), with evaluation (validation prompts, not {@code evaluate:
     * false}).
     */
    public static Optional<String> selectByProblem(TrainingRequested r) {
        return selectByProblem(r.selectBy(), r.fullFineTune(), r.evaluate(), r.validates());
    }

    /** {@link #selectByProblem(TrainingRequested)} from a request's parts, before it is built. */
    public static Optional<String> selectByProblem(String selectBy, boolean fullFineTune, Boolean evaluate,
                                                   boolean validates) {
        if (selectBy == null) {
            return Optional.empty();
        }
        if (!EvalScores.METRICS.contains(selectBy)) {
            return Optional.of("must be one of " + EvalScores.METRICS + ", got '" + selectBy + "'");
        }
        if (fullFineTune) {
            return Optional.of("keeps an adapter's best-scored step; a full fine-tune keeps its last");
        }
        if (Boolean.FALSE.equals(evaluate) || !validates) {
            return Optional.of("picks among the scored validation steps: give validationPrompts, a"
                    + " validationInterval above 0 and leave evaluate on");
        }
        return Optional.empty();
    }

    public static final String DEFAULT_INSTANCE_TOKEN = "sks";
    public static final boolean DEFAULT_PRIOR_PRESERVATION = true;
    public static final double DEFAULT_PRIOR_LOSS_WEIGHT = 1.0;
    public static final int DEFAULT_CLASS_IMAGES = 100;
    public static final int DEFAULT_MAX_TRAIN_STEPS = 500;
    public static final int DEFAULT_BATCH_SIZE = 1;
    public static final int DEFAULT_RANK = 4;
    /** Frozen text encoder: the API's default, and the CLI's. */
    public static final double DEFAULT_TEXT_ENCODER_LEARNING_RATE = 0.0;

    public static boolean validResolution(int pixels) {
        return RESOLUTION.contains(pixels) && pixels % GenerationRules.PIXEL_MULTIPLE == 0;
    }

    private TrainingRules() {
    }
}
