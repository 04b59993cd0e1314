package ai.booth.gateway;

import ai.booth.contracts.DatasetImage;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Optional;

/** Datasets as the API shows them. */
@ApplicationScoped
public class DatasetRegistry {

    private final Views<DatasetView> views = new Views<>();

    void ingesting(String datasetId, String ownerId) {
        views.update(datasetId, DatasetView.ingesting(datasetId, ownerId), current -> current);
    }

    void ready(String datasetId, String ownerId, List<DatasetImage> images) {
        views.update(datasetId, DatasetView.ingesting(datasetId, ownerId),
                current -> new DatasetView(datasetId, ownerId, DatasetStatus.READY, images, List.of()));
    }

    void rejected(String datasetId, String ownerId, List<String> problems) {
        views.update(datasetId, DatasetView.ingesting(datasetId, ownerId),
                current -> new DatasetView(datasetId, ownerId, DatasetStatus.REJECTED, List.of(), problems));
    }

    Optional<DatasetView> find(String datasetId, String ownerId) {
        return views.find(datasetId, ownerId);
    }
}
