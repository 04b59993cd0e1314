package ai.booth.contracts;

import java.util.List;

/**
 * A dataset passed its checks; its images are under {@code <owner>/<datasetId>/raw/} in {@link Buckets#DATASETS}.
 *
 * @param datasetId  the dataset
 * @param images     the checked images, in upload order
 */
@Topic(Topics.DATASET_READY)
public record DatasetReady(String datasetId, List<DatasetImage> images) implements Payload {
}
