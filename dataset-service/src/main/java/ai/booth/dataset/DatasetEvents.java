package ai.booth.dataset;

import ai.booth.contracts.DatasetIngested;
import ai.booth.contracts.DatasetReady;
import ai.booth.contracts.DatasetRejected;
import ai.booth.contracts.DatasetReport;
import ai.booth.contracts.DatasetReprocessRequested;
import ai.booth.contracts.Event;
import ai.booth.contracts.Payload;
import ai.booth.contracts.Topics;
import ai.booth.service.EventMessages;
import ai.booth.service.ObjectStoreException;
import ai.booth.service.SeenEvents;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.errors.RetriableException;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;

/**
 * Kafka in and out of dataset-service: uploads and reprocessing requests to {@link DatasetJobs}, results back. A
 * request is acknowledged only once its result was sent and Kafka took it; while S3 or the broker is away, its job
 * waits and tries again rather than ending it wrongly or losing it.
 */
@ApplicationScoped
public class DatasetEvents {

    private static final Logger LOG = Logger.getLogger(DatasetEvents.class);
    private static final long FIRST_PAUSE_MS = 1_000;
    private static final long LONGEST_PAUSE_MS = 30_000;

    private final DatasetJobs jobs;
    private final SeenEvents seen;
    private final Emitter<Event<?>> ready;
    private final Emitter<Event<?>> rejected;

    public DatasetEvents(DatasetJobs jobs, SeenEvents seen,
                         @Channel(Topics.DATASET_READY) Emitter<Event<?>> ready,
                         @Channel(Topics.DATASET_REJECTED) Emitter<Event<?>> rejected) {
        this.jobs = jobs;
        this.seen = seen;
        this.ready = ready;
        this.rejected = rejected;
    }

    @Incoming(Topics.DATASET_INGESTED)
    @Blocking(ordered = false)
    void onIngested(Event<DatasetIngested> event) throws InterruptedException {
        if (seen.firstTime(event)) {
            untilInfrastructureAnswers(event, () -> jobs.ingest(event.ownerId(), event.payload(),
                    result -> announce(event, result)));
        }
    }

    @Incoming(Topics.DATASET_REPROCESS_REQUESTED)
    @Blocking(ordered = false)
    void onReprocessRequested(Event<DatasetReprocessRequested> event) throws InterruptedException {
        if (seen.firstTime(event)) {
            untilInfrastructureAnswers(event, () -> jobs.reprocess(event.ownerId(), event.payload(),
                    result -> announce(event, result)));
        }
    }

    /**
     * Runs a job until it ended. A job that failed because S3 was unavailable (it undid its writes) runs again after
     * a pause (1 s, doubling to 30 s) for as long as that lasts: its request stays unacknowledged meanwhile, so it is
     * neither dead-lettered nor committed, and a restart delivers it again. Any other failure is thrown to the
     * channel (dead-lettered with its reason).
     */
    private void untilInfrastructureAnswers(Event<?> event, Runnable job) throws InterruptedException {
        long pause = FIRST_PAUSE_MS;
        while (true) {
            try {
                job.run();
                return;
            } catch (RuntimeException e) {
                if (!ObjectStoreException.unavailable(e)) {
                    throw e;
                }
                LOG.warnf("dataset %s of %s: S3 is unavailable (%s); running the job again in %d ms",
                        event.correlationId(), event.ownerId(), e.getMessage(), pause);
            }
            Thread.sleep(pause);
            pause = Math.min(pause * 2, LONGEST_PAUSE_MS);
        }
    }

    /**
     * Publishes the result and waits for Kafka's acknowledgement, so a failure reaches the job's rollback. A send
     * that fails with a retriable error (the broker gone longer than the producer's {@code delivery.timeout.ms}) is
     * sent again, the same event, until the broker takes it: the job's outcome is stored, and giving up would leave
     * the dataset ingesting for ever (a duplicate from a send that did arrive carries the same event id).
     */
    private void announce(Event<?> cause, Payload result) {
        Event<?> event = cause.next(result);
        Emitter<Event<?>> emitter = result instanceof DatasetReady ? ready : rejected;
        long pause = FIRST_PAUSE_MS;
        while (true) {
            try {
                EventMessages.send(emitter, event).toCompletableFuture().join();
                break;
            } catch (CompletionException | CancellationException e) {
                Throwable failure = e.getCause() == null ? e : e.getCause();
                if (!(failure instanceof RetriableException)) {
                    throw e;
                }
                LOG.warnf("dataset %s of %s: Kafka did not take %s (%s); sending it again in %d ms",
                        cause.correlationId(), cause.ownerId(), event.type(), failure.getMessage(), pause);
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while announcing " + event.type(), interrupted);
            }
            pause = Math.min(pause * 2, LONGEST_PAUSE_MS);
        }
        DatasetReport report = result instanceof DatasetReady r ? r.report()
                : ((DatasetRejected) result).report();
        LOG.infof("dataset %s of %s: %s%s", cause.correlationId(), cause.ownerId(), event.type(),
                report == null ? "" : " " + report.totals());
    }
}
