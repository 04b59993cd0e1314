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
import ai.booth.service.SeenEvents;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/** Kafka in and out of dataset-service: uploads and reprocessing requests to {@link DatasetJobs}, results back. */
@ApplicationScoped
public class DatasetEvents {

    private static final Logger LOG = Logger.getLogger(DatasetEvents.class);

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
    void onIngested(Event<DatasetIngested> event) {
        if (seen.firstTime(event)) {
            jobs.ingest(event.ownerId(), event.payload(), result -> announce(event, result));
        }
    }

    @Incoming(Topics.DATASET_REPROCESS_REQUESTED)
    @Blocking(ordered = false)
    void onReprocessRequested(Event<DatasetReprocessRequested> event) {
        if (seen.firstTime(event)) {
            jobs.reprocess(event.ownerId(), event.payload(), result -> announce(event, result));
        }
    }

    /** Publishes the result and waits for Kafka's acknowledgement, so a failure reaches the job's rollback. */
    private void announce(Event<?> cause, Payload result) {
        Event<?> event = cause.next(result);
        EventMessages.send(result instanceof DatasetReady ? ready : rejected, event).toCompletableFuture().join();
        DatasetReport report = result instanceof DatasetReady r ? r.report()
                : ((DatasetRejected) result).report();
        LOG.infof("dataset %s of %s: %s%s", cause.correlationId(), cause.ownerId(), event.type(),
                report == null ? "" : " " + report.totals());
    }
}
