package ai.booth.gateway.generation;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * What {@code POST /api/v1/control-maps/canny} detects edges in: the control image of a ControlNet unit (one of
 * {@code image} or {@code datasetImage}), the unit's thresholds and the generation's size.
 */
@Schema(description = "A control image and canny thresholds: the map a generation would feed its ControlNet")
public record ControlMapSpec(
        @Schema(description = "base64 PNG or JPEG, or a data: URL of one. Required unless datasetImage is given")
        String image,
        @Schema(description = "instead of image: one of your dataset images") GenerationSpec.DatasetImageSpec datasetImage,
        @Schema(description = "canny low threshold 1-255", defaultValue = "100") Integer lowThreshold,
        @Schema(description = "canny high threshold 1-255, >= lowThreshold", defaultValue = "200")
        Integer highThreshold,
        @Schema(description = "the generation's width: the map is detected at the output size, as the sampler does;"
                + " default the image's own") Integer width,
        @Schema(description = "the generation's height; default the image's own") Integer height) {
}
