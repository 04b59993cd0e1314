package ai.booth.dataset;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One dataset is built by one job at a time (an upload and a reprocessing, or two reprocessings, would race for the
 * next version number); different datasets run in parallel. Striped: a fixed set of locks, no per-dataset state.
 */
@ApplicationScoped
public class DatasetLocks {

    private final ReentrantLock[] stripes = new ReentrantLock[64];

    public DatasetLocks() {
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    <T> T with(String ownerId, String datasetId, Supplier<T> job) {
        ReentrantLock lock = stripes[Math.floorMod((ownerId + "/" + datasetId).hashCode(), stripes.length)];
        lock.lock();
        try {
            return job.get();
        } finally {
            lock.unlock();
        }
    }
}
