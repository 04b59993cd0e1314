package ai.booth.dataset;

import ai.booth.contracts.DatasetIngested;
import ai.booth.contracts.DatasetReady;
import ai.booth.contracts.DatasetRejected;
import ai.booth.contracts.DatasetReport;
import ai.booth.contracts.DatasetReprocessRequested;
import ai.booth.contracts.Event;
import ai.booth.contracts.Payload;
import ai.booth.contracts.Topics;
import ai.booth.dataset.processing.Rejection;
import ai.booth.service.Backoff;
import ai.booth.service.EventMessages;
import ai.booth.service.S3Wait;
import ai.booth.service.SeenEvents;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * Kafka in and out of dataset-service: uploads and reprocessing requests to {@link DatasetJobs}, results back. A
 * request is acknowledged only once its result was sent and Kafka took it; while S3 or the broker is away, its job
 * waits and tries again rather than ending it wrongly or losing it ({@link Backoff#OUTAGE}): for S3 at most
 * {@code booth.dataset.outage-wait}, after which the job ends rejected with reason {@link Rejection#S3_UNAVAILABLE}.
 */
@ApplicationScoped
public class DatasetEvents {

    private static final Logger LOG = Logger.getLogger(DatasetEvents.class);

    private final DatasetJobs jobs;
    private final SeenEvents seen;
    private final Emitter<Event<?>> ready;
    private final Emitter<Event<?>> rejected;
    private final Backoff s3Pauses;

    public DatasetEvents(DatasetJobs jobs, SeenEvents seen,
                         @Channel(Topics.DATASET_READY) Emitter<Event<?>> ready,
                         @Channel(Topics.DATASET_REJECTED) Emitter<Event<?>> rejected, DatasetConfig config) {
        this.jobs = jobs;
        this.seen = seen;
        this.ready = ready;
        this.rejected = rejected;
        this.s3Pauses = Backoff.OUTAGE.within(config.outageWait());
    }

    @Incoming(Topics.DATASET_INGESTED)
    @Blocking(ordered = false)
    void onIngested(Event<DatasetIngested> event) throws InterruptedException {
        if (seen.firstTime(event)) {
            untilS3Answers(event, event.payload().datasetId(), "upload", () -> jobs.ingest(event.ownerId(),
                    event.payload(), result -> announce(event, result)));
        }
    }

    @Incoming(Topics.DATASET_REPROCESS_REQUESTED)
    @Blocking(ordered = false)
    void onReprocessRequested(Event<DatasetReprocessRequested> event) throws InterruptedException {
        if (seen.firstTime(event)) {
            untilS3Answers(event, event.payload().datasetId(), "reprocessing", () -> jobs.reprocess(
                    event.ownerId(), event.payload(), result -> announce(event, result)));
        }
    }

    /**
     * Runs a job until it ended. A job that failed because S3 was unavailable (it undid its writes) runs again after
     * a pause for as long as that lasts, up to {@code booth.dataset.outage-wait}: its request stays unacknowledged
     * meanwhile, so it is neither dead-lettered nor committed, and a restart delivers it again. Past that bound the
     * job ends rejected ({@link Rejection#S3_UNAVAILABLE}; not stored, S3 being away, so a redelivery runs it again).
     * Any other failure is thrown to the channel (dead-lettered with its reason).
     */
    private void untilS3Answers(Event<?> event, String datasetId, String what, Runnable job)
            throws InterruptedException {
        try {
            new S3Wait(s3Pauses).run("dataset " + datasetId + " of " + event.ownerId(), job);
        } catch (S3Wait.GaveUp e) {
            announce(event, new DatasetRejected(datasetId, List.of(Rejection.problem(Rejection.S3_UNAVAILABLE
                    .with(e.getMessage()).of(what))), null));
        }
    }

    /**
     * Publishes the result and waits for Kafka's acknowledgement, so a failure reaches the job's rollback; while the
     * broker is away the same event is sent again until it takes it ({@link EventMessages#deliver}): the job's
     * outcome is stored, and giving up would leave the dataset ingesting for ever.
     */
    private void announce(Event<?> cause, Payload result) {
        Event<?> event = cause.next(result);
        EventMessages.deliver(result instanceof DatasetReady ? ready : rejected, event);
        DatasetReport report = result instanceof DatasetReady r ? r.report()
                : ((DatasetRejected) result).report();
        LOG.infof("dataset %s of %s: %s%s", cause.correlationId(), cause.ownerId(), event.type(),
                report == null ? "" : " " + report.totals());
    }
}
