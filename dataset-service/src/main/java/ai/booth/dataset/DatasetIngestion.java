package ai.booth.dataset;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.DatasetImage;
import ai.booth.contracts.DatasetIngested;
import ai.booth.contracts.DatasetReady;
import ai.booth.contracts.DatasetRejected;
import ai.booth.contracts.Event;
import ai.booth.contracts.Topics;
import ai.booth.service.EventMessages;
import ai.booth.service.ObjectStore;
import ai.booth.service.SeenEvents;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks freshly uploaded photos: every staged file must decode as an image. A dataset whose files all pass moves
 * to {@code <owner>/<datasetId>/raw/} and is announced READY; otherwise it is REJECTED with one line per bad file.
 */
@ApplicationScoped
public class DatasetIngestion {

    private static final Logger LOG = Logger.getLogger(DatasetIngestion.class);

    private final ObjectStore store;
    private final SeenEvents seen;
    private final Emitter<Event<?>> ready;
    private final Emitter<Event<?>> rejected;

    public DatasetIngestion(ObjectStore store, SeenEvents seen,
                            @Channel(Topics.DATASET_READY) Emitter<Event<?>> ready,
                            @Channel(Topics.DATASET_REJECTED) Emitter<Event<?>> rejected) {
        this.store = store;
        this.seen = seen;
        this.ready = ready;
        this.rejected = rejected;
    }

    @Incoming(Topics.DATASET_INGESTED)
    @Blocking(ordered = false)
    void onIngested(Event<DatasetIngested> event) {
        if (!seen.firstTime(event)) {
            return;
        }
        DatasetIngested ingested = event.payload();
        List<DatasetImage> images = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (String stagingKey : ingested.stagingKeys()) {
            String fileName = stagingKey.substring(stagingKey.lastIndexOf('/') + 1);
            if (!stagingKey.equals(Buckets.datasetStagingKey(event.ownerId(), ingested.datasetId(), fileName))) {
                problems.add(stagingKey + ": not in this dataset's staging area");
                continue;
            }
            try {
                byte[] content = store.get(Buckets.DATASETS, stagingKey);
                ImageCheck.Decoded decoded = ImageCheck.decode(content);
                String rawKey = Buckets.datasetRawKey(event.ownerId(), ingested.datasetId(), fileName);
                store.put(Buckets.DATASETS, rawKey, content, decoded.contentType());
                images.add(new DatasetImage(rawKey, decoded.width(), decoded.height(), decoded.contentType()));
            } catch (IllegalArgumentException e) {
                problems.add(fileName + ": " + e.getMessage());
            }
        }
        Event<?> result = problems.isEmpty()
                ? event.next(new DatasetReady(ingested.datasetId(), images))
                : event.next(new DatasetRejected(ingested.datasetId(), problems));
        EventMessages.send(problems.isEmpty() ? ready : rejected, result).toCompletableFuture().join();
        if (problems.isEmpty()) {
            ingested.stagingKeys().forEach(key -> store.remove(Buckets.DATASETS, key));
        }
        LOG.infof("dataset %s of %s: %s (%d images, %d problems)", ingested.datasetId(), event.ownerId(),
                result.type(), images.size(), problems.size());
    }
}
