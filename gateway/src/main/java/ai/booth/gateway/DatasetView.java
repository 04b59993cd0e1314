package ai.booth.gateway;

import ai.booth.contracts.DatasetImage;
import ai.booth.contracts.DatasetReport;

import java.util.List;

/**
 * A dataset as the API shows it.
 *
 * @param datasetId  id to reference in trainings
 * @param ownerId    the owner it belongs to
 * @param status     where it is in its life
 * @param version    the current processed version (READY only); reprocessing raises it
 * @param images     the training images of that version, keys in the datasets bucket, with captions (READY only)
 * @param problems   why it was rejected (REJECTED), or why the last reprocessing failed (READY)
 * @param report     the quality report: per image size, face, crop, blur, duplicates; rejected files with reasons
 */
public record DatasetView(String datasetId, String ownerId, DatasetStatus status, Integer version,
                          List<DatasetImage> images, List<String> problems, DatasetReport report)
        implements Views.Owned {

    static DatasetView ingesting(String datasetId, String ownerId) {
        return new DatasetView(datasetId, ownerId, DatasetStatus.INGESTING, null, List.of(), List.of(), null);
    }
}
