package ai.booth.dataset.processing;

import ai.booth.contracts.DatasetSettings;

import java.nio.file.Path;

/**
 * Which dataset version is built, how, and where its files are spooled.
 *
 * @param ownerId         tenant
 * @param datasetId       the dataset
 * @param version         1 for an upload, the next number for a reprocessing
 * @param settings        crop mode, resolution, buckets, duplicates
 * @param instancePrompt  caption of images without a caption file, or null
 * @param workDir         a private directory for spooled entries and outputs, deleted by the caller
 */
public record DatasetJob(String ownerId, String datasetId, int version, DatasetSettings settings,
                         String instancePrompt, Path workDir) {
}
