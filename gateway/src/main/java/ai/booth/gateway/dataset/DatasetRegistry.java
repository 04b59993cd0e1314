package ai.booth.gateway.dataset;

import ai.booth.contracts.DatasetIngested;
import ai.booth.contracts.DatasetReady;
import ai.booth.contracts.DatasetRejected;
import ai.booth.contracts.Event;
import ai.booth.gateway.job.ImageLink;
import ai.booth.gateway.job.JobRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.util.List;

/** Datasets as the API shows them, from DatasetIngested, DatasetReady and DatasetRejected. */
@ApplicationScoped
public class DatasetRegistry extends JobRegistry<DatasetView> {

    @Override
    protected DatasetView initial(String id, Event<?> event) {
        return DatasetView.ingesting(id, event.ownerId(), event.occurredAt());
    }

    @Incoming("view-dataset-ingested")
    void ingested(ConsumerRecord<String, Event<DatasetIngested>> record) {
        onRequested(record, record.value().payload().datasetId(), (current, at, upload, meta) -> new DatasetView(
                current.datasetId(), current.ownerId(), current.status(), at, upload.subject(), current.version(),
                current.images(), current.problems(), current.report(), meta.callbackUrl(), meta));
    }

    @Incoming("view-dataset-ready")
    void ready(Event<DatasetReady> event) {
        DatasetReady ready = event.payload();
        List<ImageLink> images = ready.images().stream().map(image -> new ImageLink(image.key(), null,
                image.width(), image.height(), image.caption(), null, null, null)).toList();
        on(event, ready.datasetId(), current -> current.version() != null && current.version() > ready.version()
                ? current : new DatasetView(current.datasetId(), current.ownerId(), DatasetStatus.READY,
                current.createdAt(), current.subject(), ready.version(), images, List.of(), ready.report(),
                current.callbackUrl(), current.meta()));
    }

    /** A rejected upload is REJECTED; a rejected reprocessing leaves a READY dataset as it was, with the problems. */
    @Incoming("view-dataset-rejected")
    void rejected(Event<DatasetRejected> event) {
        DatasetRejected rejected = event.payload();
        on(event, rejected.datasetId(), current -> current.status() == DatasetStatus.READY
                ? new DatasetView(current.datasetId(), current.ownerId(), DatasetStatus.READY, current.createdAt(),
                current.subject(), current.version(), current.images(), rejected.problems(), current.report(),
                current.callbackUrl(), current.meta())
                : new DatasetView(current.datasetId(), current.ownerId(), DatasetStatus.REJECTED,
                current.createdAt(), current.subject(), null, List.of(), rejected.problems(), rejected.report(),
                current.callbackUrl(), current.meta()));
    }
}
