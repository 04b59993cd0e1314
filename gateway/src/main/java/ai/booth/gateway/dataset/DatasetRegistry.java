package ai.booth.gateway.dataset;

import ai.booth.gateway.job.ImageLink;
import ai.booth.gateway.job.JobMeta;
import ai.booth.gateway.job.Views;
import ai.booth.contracts.DatasetIngested;
import ai.booth.contracts.DatasetReady;
import ai.booth.contracts.DatasetRejected;
import ai.booth.contracts.Event;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Optional;

/** Datasets as the API shows them, from DatasetIngested, DatasetReady and DatasetRejected. */
@ApplicationScoped
public class DatasetRegistry {

    private final Views<DatasetView> views = new Views<>();

    /** The views themselves (a method, not the field: callers hold a CDI proxy). */
    public Views<DatasetView> views() {
        return views;
    }

    public void ingested(Event<DatasetIngested> event, JobMeta meta) {
        DatasetIngested upload = event.payload();
        views.update(upload.datasetId(), () -> DatasetView.ingesting(upload.datasetId(), event.ownerId(),
                event.occurredAt()), current -> new DatasetView(current.datasetId(), current.ownerId(),
                current.status(), event.occurredAt(), upload.subject(), current.version(), current.images(),
                current.problems(), current.report(), meta.callbackUrl(), meta));
    }

    public void ready(Event<DatasetReady> event) {
        DatasetReady ready = event.payload();
        List<ImageLink> images = ready.images().stream().map(image -> new ImageLink(image.key(), null,
                image.width(), image.height(), image.caption(), null, null, null)).toList();
        views.update(ready.datasetId(), () -> DatasetView.ingesting(ready.datasetId(), event.ownerId(),
                event.occurredAt()), current -> current.version() != null && current.version() > ready.version()
                ? current : new DatasetView(current.datasetId(), current.ownerId(), DatasetStatus.READY,
                current.createdAt(), current.subject(), ready.version(), images, List.of(), ready.report(),
                current.callbackUrl(), current.meta()));
    }

    /** A rejected upload is REJECTED; a rejected reprocessing leaves a READY dataset as it was, with the problems. */
    public void rejected(Event<DatasetRejected> event) {
        DatasetRejected rejected = event.payload();
        views.update(rejected.datasetId(), () -> DatasetView.ingesting(rejected.datasetId(), event.ownerId(),
                event.occurredAt()), current -> current.status() == DatasetStatus.READY
                ? new DatasetView(current.datasetId(), current.ownerId(), DatasetStatus.READY, current.createdAt(),
                current.subject(), current.version(), current.images(), rejected.problems(), current.report(),
                current.callbackUrl(), current.meta())
                : new DatasetView(current.datasetId(), current.ownerId(), DatasetStatus.REJECTED,
                current.createdAt(), current.subject(), null, List.of(), rejected.problems(), rejected.report(),
                current.callbackUrl(), current.meta()));
    }

    public Optional<DatasetView> find(String datasetId, String ownerId) {
        return views.find(datasetId, ownerId);
    }
}
