package ai.booth.gateway;

import ai.booth.contracts.DatasetImage;

import java.util.List;

/**
 * A dataset as the API shows it.
 *
 * @param datasetId  id to reference in trainings
 * @param ownerId    the owner it belongs to
 * @param status     where it is in its life
 * @param images     checked images (READY only), keys in the datasets bucket
 * @param problems   why it was rejected (REJECTED only)
 */
public record DatasetView(String datasetId, String ownerId, DatasetStatus status, List<DatasetImage> images,
                          List<String> problems) implements Views.Owned {

    static DatasetView ingesting(String datasetId, String ownerId) {
        return new DatasetView(datasetId, ownerId, DatasetStatus.INGESTING, List.of(), List.of());
    }
}
