package ai.booth.contracts;

import java.util.List;

/**
 * A dataset version is processed and stored: its training images under {@code processed/v<version>/}, its
 * originals under {@code raw/}, its report at {@code report.json} in {@link Buckets#DATASETS}.
 *
 * @param datasetId  the dataset
 * @param version    1 for the upload, +1 for each reprocessing
 * @param images     the training set, in upload order, with captions
 * @param reportKey  the stored quality report (the same as {@code report})
 * @param report     per-image quality, rejected files and warnings
 */
@Topic(Topics.DATASET_READY)
public record DatasetReady(String datasetId, int version, List<DatasetImage> images, String reportKey,
                           DatasetReport report) implements Payload {
}
