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

    /** One write and how to undo it: remove the key, or put back what it replaced. */
    private record Written(String key, byte[] previous, String contentType) {
    }

    private final ObjectStore store;
    private final List<Written> written = new ArrayList<>();

    ObjectWrites(ObjectStore store) {
        this.store = store;
    }

    void put(String key, Path file, String contentType) {
        // recorded before the call: a put that fails after the server stored the object is undone too
        written.add(new Written(key, null, contentType));
        store.put(Buckets.DATASETS, key, file, contentType);
    }

    void put(String key, byte[] content, String contentType) {
        replace(key, content, contentType, null);
    }

    /** Writes over an object whose content was {@code previous} (null: there was none); undoing restores it. */
    void replace(String key, byte[] content, String contentType, byte[] previous) {
        written.add(new Written(key, previous, contentType));
        store.put(Buckets.DATASETS, key, content, contentType);
    }

    /**
     * Undoes everything written, newest first. An undo that fails (S3 lost mid-job) ends the undoing: the older
     * writes stay, so an object that names others (the report, written last) never outlives what it names. What
     * stays is overwritten when the job runs again (its keys are the same), or is an unannounced leftover.
     */
    void rollback() {
        for (int i = written.size() - 1; i >= 0; i--) {
            Written write = written.get(i);
            try {
                if (write.previous() == null) {
                    store.remove(Buckets.DATASETS, write.key());
                } else {
                    store.put(Buckets.DATASETS, write.key(), write.previous(), write.contentType());
                }
            } catch (RuntimeException e) {
                LOG.errorf("could not undo %s while undoing a failed dataset job (%s); the %d writes before it stay",
                        write.key(), e.getMessage(), i);
                break;
            }
        }
        written.clear();
    }
}
