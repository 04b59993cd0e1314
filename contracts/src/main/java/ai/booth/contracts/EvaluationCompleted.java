package ai.booth.contracts;

/**
 * An evaluation request is scored.
 *
 * @param evaluationId the request
 * @param scores       DINO, CLIP-I and CLIP-T of its images ({@code step} is 0: no training step)
 * @param diversity    the paper's DIV: 1 − mean pairwise DINO similarity among images of one prompt, averaged over
 *                     the prompts with at least two images; null when no prompt has two
 */
@Topic(Topics.EVALUATION_COMPLETED)
public record EvaluationCompleted(String evaluationId, EvalScores scores, @Nullable Double diversity)
        implements Payload {
}
