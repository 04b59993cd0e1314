package ai.booth.trainer;

import ai.booth.contracts.Event;
import ai.booth.contracts.TrainingCancelRequested;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What may stop a job early: a cancel request, or this worker shutting down. Cancels are broadcast: every trainer
 * instance reads {@code booth.training.cancel-requested} in a consumer group of its own, from the beginning, so the
 * instance running the job hears it, and so does an instance that picks the job up later (it then skips it).
 */
@ApplicationScoped
public class JobControl {

    private static final Logger LOG = Logger.getLogger(JobControl.class);
    /** How long shutdown waits for the running job to reach a step boundary and upload its checkpoint. */
    private static final long STOP_WAIT_SECONDS = 120;

    private final Set<String> cancelled = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    private volatile boolean stopping;
    private int running; // guarded by lock

    @Incoming("training-cancels")
    void onCancel(Event<TrainingCancelRequested> event) {
        cancelled.add(key(event.ownerId(), event.payload().trainingId()));
        LOG.infof("cancel requested for training %s of %s", event.payload().trainingId(), event.ownerId());
    }

    boolean cancelled(String ownerId, String trainingId) {
        return cancelled.contains(key(ownerId, trainingId));
    }

    /** Whether this worker is shutting down: the running job stops at a step boundary and stays unfinished. */
    boolean stopping() {
        return stopping;
    }

    /** A running job; shutdown waits until it is closed. */
    interface Running extends AutoCloseable {
        @Override
        void close();
    }

    /** Marks a job running until the returned handle is closed. */
    Running running() {
        lock.lock();
        try {
            running++;
        } finally {
            lock.unlock();
        }
        return () -> {
            lock.lock();
            try {
                running--;
                idle.signalAll();
            } finally {
                lock.unlock();
            }
        };
    }

    /** Stops the running job at its next step boundary and waits until its checkpoint is stored. */
    void stop() throws InterruptedException {
        stopping = true;
        lock.lock();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_WAIT_SECONDS);
            while (running > 0 && System.nanoTime() < deadline) {
                idle.await(1, TimeUnit.SECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Lets jobs run again after {@link #stop()} (tests restart the runner in one JVM). */
    void resume() {
        stopping = false;
    }

    void onShutdown(@Observes @Priority(1) ShutdownEvent event) throws InterruptedException {
        stop();
    }

    private static String key(String ownerId, String trainingId) {
        return ownerId + "/" + trainingId;
    }
}
