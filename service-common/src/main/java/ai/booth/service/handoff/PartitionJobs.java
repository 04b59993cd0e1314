package ai.booth.service.handoff;

import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Which partition each in-flight job of a worker came from, so a rebalance hands jobs over at a safe point instead
 * of letting the new owner of a partition start a job this worker is still running. On revocation (called on the
 * polling thread, before the revocation completes) the jobs of the revoked partitions are told they are handed over
 * and the call blocks until they have closed, at most {@code maxWait}: a trainer stops at its next step boundary, a
 * sampler finishes its render. A job whose partition is no longer this worker's does not start at all (its record
 * was already handed to the worker thread when the partition moved): the new owner runs it.
 */
public final class PartitionJobs implements ConsumerRebalanceListener {

    private static final Logger LOG = Logger.getLogger(PartitionJobs.class);

    private final Duration maxWait;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition closed = lock.newCondition();
    private final Set<TopicPartition> owned = new HashSet<>(); // guarded by lock
    private final Set<Job> running = new HashSet<>(); // guarded by lock

    /** @param maxWait how long a revocation waits for its jobs: keep it below the consumer's max.poll.interval.ms */
    public PartitionJobs(Duration maxWait) {
        this.maxWait = maxWait;
    }

    /** One job of a partition; closing it (at its end, or at its safe point) lets a waiting revocation go on. */
    public final class Job implements AutoCloseable {
        private final TopicPartition partition;
        private volatile boolean handedOver;

        private Job(TopicPartition partition) {
            this.partition = partition;
        }

        public TopicPartition partition() {
            return partition;
        }

        /** Whether the partition is being revoked: stop at the next safe point and leave the record unacked. */
        public boolean handedOver() {
            return handedOver;
        }

        @Override
        public void close() {
            lock.lock();
            try {
                running.remove(this);
                closed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Starts a job for a record of the partition, or empty when the partition is no longer this worker's. */
    public Optional<Job> start(TopicPartition partition) {
        lock.lock();
        try {
            if (!owned.contains(partition)) {
                LOG.infof("%s is no longer this worker's: its record is left to the new owner", partition);
                return Optional.empty();
            }
            Job job = new Job(partition);
            running.add(job);
            return Optional.of(job);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        lock.lock();
        try {
            owned.addAll(partitions);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Hands over the jobs of the partitions: no new job of them starts, the running ones are told, and this returns
     * when they closed or {@code maxWait} passed (logged: the new owner may then run a job this worker still runs).
     */
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        lock.lock();
        try {
            owned.removeAll(partitions);
            List<Job> leaving = running.stream().filter(j -> partitions.contains(j.partition)).toList();
            if (leaving.isEmpty()) {
                return;
            }
            leaving.forEach(j -> j.handedOver = true);
            LOG.infof("%s revoked: waiting for %d job(s) to reach a safe point", partitions, leaving.size());
            long deadline = System.nanoTime() + maxWait.toNanos();
            while (leaving.stream().anyMatch(running::contains)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    LOG.warnf("%s revoked: gave up waiting after %s for the jobs of %s; the new owner may run them"
                            + " while they still run here", partitions, maxWait,
                            leaving.stream().filter(running::contains).map(Job::partition).toList());
                    return;
                }
                closed.await(left, TimeUnit.NANOSECONDS);
            }
            LOG.infof("%s revoked: its jobs reached a safe point", partitions);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warnf("%s revoked: interrupted while waiting for its jobs", partitions);
        } finally {
            lock.unlock();
        }
    }
}
