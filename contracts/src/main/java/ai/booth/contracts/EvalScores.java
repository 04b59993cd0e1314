package ai.booth.contracts;

import java.util.List;

/**
 * The DreamBooth paper's scores of one set of generated images (Ruiz et al. 2023, section 4.1): subject fidelity as
 * the mean cosine over every (generated, real subject image) pair of DINO ViT-S/16 and of CLIP image embeddings, and
 * prompt fidelity as the mean cosine between each generated image's CLIP image embedding and its prompt's CLIP text
 * embedding, the subject's token removed from the prompt. Higher is better for all three.
 *
 * @param step       the training step whose images were scored; 0 for an {@link EvaluationRequested}
 * @param dino       DINO subject fidelity
 * @param clipI      CLIP-I subject fidelity
 * @param clipT      CLIP-T prompt fidelity
 * @param generated  generated images scored
 * @param real       the dataset's real images they were compared with
 */
public record EvalScores(int step, double dino, double clipI, double clipT, int generated, int real) {

    public static final String DINO = "dino";
    public static final String CLIP_I = "clip_i";
    public static final String CLIP_T = "clip_t";
    /** The metrics a training can keep its best step by ({@link TrainingRequested#selectBy()}). */
    public static final List<String> METRICS = List.of(DINO, CLIP_I, CLIP_T);

    /** The score named by one of {@link #METRICS}. */
    public double metric(String name) {
        return switch (name) {
            case DINO -> dino;
            case CLIP_I -> clipI;
            case CLIP_T -> clipT;
            default -> throw new IllegalArgumentException("metric must be one of " + METRICS + ", got '" + name + "'");
        };
    }
}
