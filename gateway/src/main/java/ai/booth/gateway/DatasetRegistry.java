package ai.booth.gateway;

import ai.booth.contracts.DatasetReady;
import ai.booth.contracts.DatasetRejected;
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

    void ready(String ownerId, DatasetReady ready) {
        views.update(ready.datasetId(), DatasetView.ingesting(ready.datasetId(), ownerId),
                current -> current.version() != null && current.version() > ready.version() ? current
                        : new DatasetView(ready.datasetId(), ownerId, DatasetStatus.READY, ready.version(),
                        ready.images(), List.of(), ready.report()));
    }

    /** A rejected upload is REJECTED; a rejected reprocessing leaves a READY dataset as it was, with the problems. */
    void rejected(String ownerId, DatasetRejected rejected) {
        views.update(rejected.datasetId(), DatasetView.ingesting(rejected.datasetId(), ownerId),
                current -> current.status() == DatasetStatus.READY
                        ? new DatasetView(current.datasetId(), ownerId, DatasetStatus.READY, current.version(),
                        current.images(), rejected.problems(), current.report())
                        : new DatasetView(rejected.datasetId(), ownerId, DatasetStatus.REJECTED, null, List.of(),
                        rejected.problems(), rejected.report()));
    }

    Optional<DatasetView> find(String datasetId, String ownerId) {
        return views.find(datasetId, ownerId);
    }
}
