package ai.booth.gateway.experiment;

import ai.booth.gateway.training.TrainingSpec;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;
import java.util.Map;

/** The body of {@code POST /api/v1/experiments}. */
@Schema(description = "Variants of one training on one dataset, each rendering the same prompts × seeds, compared in a"
        + " sheet and a table.")
public record ExperimentSpec(
        @Schema(description = "a READY dataset of yours, which every variant trains on", required = true)
        String datasetId,
        @Schema(description = "the training every variant starts from (as POST /api/v1/trainings takes it; its"
                + " datasetId is the experiment's)", required = true) TrainingSpec training,
        @Schema(description = "1-8 variants, each a set of training fields over the base training", required = true)
        List<VariantSpec> variants,
        @Schema(description = "1-8 prompts every variant and the base model render", required = true)
        List<String> prompts,
        @Schema(description = "1-8 seeds, each prompt rendered once per seed", defaultValue = "[1]") List<Long> seeds,
        @Schema(description = "sampling steps of the renders, 1-150", defaultValue = "20") Integer steps,
        @Schema(description = "guidance of the renders", defaultValue = "7.5") Double guidanceScale,
        @Schema(description = "render width; default: the model's size") Integer width,
        @Schema(description = "render height; default: the model's size") Integer height,
        @Schema(description = "scheduler of the renders", defaultValue = "dpmpp_2m_karras") String scheduler) {

    /**
     * One variant.
     *
     * @param label     how the sheet and table name it; default: its overrides ({@code rank=8})
     * @param overrides training fields that set it apart, e.g. {@code {"rank": 8}} or {@code {"mode": "full"}}
     */
    public record VariantSpec(String label, Map<String, Object> overrides) {
    }
}
