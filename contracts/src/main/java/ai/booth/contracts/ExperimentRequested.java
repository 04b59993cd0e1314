package ai.booth.contracts;

import java.util.List;

/**
 * Variants of one training on one dataset, compared side by side: each variant is an ordinary training (published as
 * its own TrainingRequested), which once completed renders the same prompts × seeds as {@code render} with its LoRA
 * (or, for a full fine-tune, its model), scored against the dataset's photos when encoders are installed;
 * {@code render} itself, without adapter, is the base model's row. Published by the gateway, read by it.
 *
 * @param experimentId the request; also the envelope's correlation id
 * @param datasetId    the dataset every variant trains on
 * @param variants     each variant's label (its overrides, e.g. {@code rank=8}) and training
 * @param render       the base model's render: a grid of the prompts (x) by the seeds (y), which every variant's
 *                     render repeats
 */
@Topic(Topics.EXPERIMENT_REQUESTED)
public record ExperimentRequested(String experimentId, String datasetId, List<Variant> variants,
                                  GenerationRequested render) implements Payload {

    public static final int MAX_VARIANTS = 8;

    /**
     * One variant.
     *
     * @param label    what sets it apart, e.g. {@code rank=8} or {@code mode=full}
     * @param training its training, published on its own
     */
    public record Variant(String label, TrainingRequested training) {
    }
}
