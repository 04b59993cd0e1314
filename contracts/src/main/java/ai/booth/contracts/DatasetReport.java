package ai.booth.contracts;

import java.util.List;

/**
 * The quality report of one dataset version, stored as {@code report.json} beside the dataset and sent in its events.
 *
 * @param datasetId       the dataset
 * @param version         the processed version it describes
 * @param settings        the settings it was processed with
 * @param instancePrompt  the caption of images without a caption file
 * @param images          every accepted image, in upload order, with what processing found and did
 * @param rejected        every rejected file with its reason; none of them was stored
 * @param warnings        dataset-level warnings, e.g. too few images
 * @param totals          counts over the above
 */
public record DatasetReport(String datasetId, int version, DatasetSettings settings, @Nullable String instancePrompt,
                            List<ImageReport> images, List<RejectedFile> rejected, List<String> warnings,
                            ReportTotals totals) {
}
