package ai.booth.gateway.evaluation;

import java.util.List;

/**
 * What a caller asks to have scored (POST /api/v1/evaluations): generations of theirs against a subject's photos.
 *
 * @param generationIds COMPLETED generations whose images are scored (each image against the prompt it was
 *                      rendered from)
 * @param trainingId    a training of the caller's: its dataset's images are the real ones and its subject's token(s)
 *                      are removed from the prompts for CLIP-T
 * @param datasetId     a READY dataset whose images are the real ones, instead of a training's
 * @param tokens        the subject's token(s) to remove from the prompts; default: the training's, or none
 * @param callbackUrl   where the result is POSTed when it ends
 */
public record EvaluationSpec(List<String> generationIds, String trainingId, String datasetId, List<String> tokens,
                             String callbackUrl) {
}
