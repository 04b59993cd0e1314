package ai.booth.gateway;

import ai.booth.contracts.DatasetReady;
import ai.booth.contracts.DatasetRejected;
import ai.booth.contracts.Event;
import ai.booth.contracts.Topics;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Results of dataset checks, from dataset-service, into the registry. Replays are harmless: updates overwrite. */
@ApplicationScoped
public class DatasetEvents {

    private final DatasetRegistry registry;

    public DatasetEvents(DatasetRegistry registry) {
        this.registry = registry;
    }

    @Incoming(Topics.DATASET_READY)
    void onReady(Event<DatasetReady> event) {
        registry.ready(event.ownerId(), event.payload());
    }

    @Incoming(Topics.DATASET_REJECTED)
    void onRejected(Event<DatasetRejected> event) {
        registry.rejected(event.ownerId(), event.payload());
    }
}
