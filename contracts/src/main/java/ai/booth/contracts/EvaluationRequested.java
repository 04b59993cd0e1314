package ai.booth.contracts;

import java.util.List;

/**
 * Score generated images against a subject's real photos with the DreamBooth paper's metrics ({@link EvalScores}),
 * on a sampler with a {@code clip} and a {@code dino} encoder installed. Other systems may publish this directly;
 * every key must lie under the event owner's prefix.
 *
 * @param evaluationId  the request; also the envelope's correlation id
 * @param images        the generated images, each with the prompt it was rendered from (keys in
 *                      {@link Buckets#GENERATIONS})
 * @param realImageKeys the subject's photos (keys in {@link Buckets#DATASETS}, e.g. a dataset's training images)
 * @param tokens        the subject's token(s), removed from each prompt before CLIP-T (the paper's rule); may be
 *                      empty
 */
@Topic(Topics.EVALUATION_REQUESTED)
public record EvaluationRequested(String evaluationId, List<ScoredImage> images, List<String> realImageKeys,
                                  List<String> tokens) implements Payload {

    /** Most images one request scores (generated and real each): bounds a sampler's memory and time. */
    public static final int MAX_IMAGES = 256;

    /**
     * One generated image to score.
     *
     * @param key    key in {@link Buckets#GENERATIONS}
     * @param prompt the prompt it was rendered from
     */
    public record ScoredImage(String key, String prompt) {
    }
}
