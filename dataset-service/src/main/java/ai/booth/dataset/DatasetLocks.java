package ai.booth.dataset;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * One dataset is built by one job at a time (an upload and a reprocessing, or two reprocessings, would race for the
 * next version number); different datasets run in parallel, at most {@link DatasetConfig#concurrentJobs} of them (each
 * spools its upload to disk). Striped: a fixed set of locks, no per-dataset state.
 */
@ApplicationScoped
public class DatasetLocks {

    private final ReentrantLock[] stripes = new ReentrantLock[64];
    private final Semaphore running;

    public DatasetLocks(DatasetConfig config) {
        if (config.concurrentJobs() < 1) {
            throw new IllegalArgumentException("booth.dataset.concurrent-jobs must be at least 1, got "
                    + config.concurrentJobs());
        }
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new ReentrantLock();
        }
        running = new Semaphore(config.concurrentJobs(), true);
    }

    <T> T with(String ownerId, String datasetId, Supplier<T> job) {
        ReentrantLock lock = stripes[Math.floorMod((ownerId + "/" + datasetId).hashCode(), stripes.length)];
        lock.lock(); // the dataset first: a job waiting for its dataset holds no slot another dataset could use
        try {
            running.acquireUninterruptibly();
            try {
                return job.get();
            } finally {
                running.release();
            }
        } finally {
            lock.unlock();
        }
    }
}
