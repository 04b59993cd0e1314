package ai.booth.gateway;

import ai.booth.contracts.DatasetImage;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gateway's view of datasets, built from the events it sends and receives. In memory: on start the gateway
 * replays the ready/rejected topics (see application.properties), so checked datasets survive a restart; datasets
 * still being checked at a restart reappear once their result arrives.
 */
@ApplicationScoped
public class DatasetRegistry {

    private final Map<String, DatasetView> datasets = new ConcurrentHashMap<>();

    void ingesting(String datasetId, String ownerId) {
        datasets.putIfAbsent(datasetId, DatasetView.ingesting(datasetId, ownerId));
    }

    void ready(String datasetId, String ownerId, List<DatasetImage> images) {
        datasets.put(datasetId, new DatasetView(datasetId, ownerId, DatasetStatus.READY, images, List.of()));
    }

    void rejected(String datasetId, String ownerId, List<String> problems) {
        datasets.put(datasetId, new DatasetView(datasetId, ownerId, DatasetStatus.REJECTED, List.of(), problems));
    }

    /** The dataset if it exists and belongs to this owner (others' datasets are invisible, not forbidden). */
    Optional<DatasetView> find(String datasetId, String ownerId) {
        return Optional.ofNullable(datasets.get(datasetId)).filter(view -> view.ownerId().equals(ownerId));
    }
}
