package ai.booth.dataset;

import ai.booth.contracts.Buckets;
import ai.booth.service.ObjectStore;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The objects one job wrote to the datasets bucket, so a job that fails halfway can take all of them back. */
final class ObjectWrites {

    private static final Logger LOG = Logger.getLogger(ObjectWrites.class);

    private final ObjectStore store;
    private final List<String> written = new ArrayList<>();

    ObjectWrites(ObjectStore store) {
        this.store = store;
    }

    void put(String key, Path file, String contentType) {
        written.add(key); // before the call: a put that fails after the server stored the object is undone too
        store.put(Buckets.DATASETS, key, file, contentType);
    }

    void put(String key, byte[] content, String contentType) {
        written.add(key);
        store.put(Buckets.DATASETS, key, content, contentType);
    }

    /** Removes everything written, newest first; a removal that fails is logged and the rest still go. */
    void rollback() {
        for (int i = written.size() - 1; i >= 0; i--) {
            try {
                store.remove(Buckets.DATASETS, written.get(i));
            } catch (RuntimeException e) {
                LOG.errorf("could not remove %s while undoing a failed dataset job: %s", written.get(i), e.getMessage());
            }
        }
        written.clear();
    }
}
