package ai.booth.gateway.dataset;

import ai.booth.contracts.DatasetIngested;
import ai.booth.contracts.DatasetReady;
import ai.booth.contracts.DatasetRejected;
import ai.booth.gateway.job.ImageLink;
import ai.booth.gateway.job.JobRegistry;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/** Datasets as the API shows them, from DatasetIngested, DatasetReady and DatasetRejected. */
@ApplicationScoped
public class DatasetRegistry extends JobRegistry<DatasetView> {

    DatasetRegistry() {
        super(DatasetView::ingesting, new Transitions<DatasetView>()
                .requested(DatasetIngested.class, DatasetIngested::datasetId, (current, at, upload, meta) ->
                        new DatasetView(current.datasetId(), current.ownerId(), current.status(), at,
                                upload.subject(), current.version(), current.images(), current.problems(),
                                current.report(), meta.callbackUrl(), meta))
                .on(DatasetReady.class, DatasetReady::datasetId, DatasetRegistry::ready)
                .on(DatasetRejected.class, DatasetRejected::datasetId, DatasetRegistry::rejected));
    }

    /** READY with this version's images, unless a newer version was replayed already. */
    private static DatasetView ready(DatasetView current, DatasetReady ready) {
        List<ImageLink> images = ready.images().stream().map(image -> new ImageLink(image.key(), null,
                image.width(), image.height(), image.caption(), null, null, null)).toList();
        return current.version() != null && current.version() > ready.version()
                ? current : new DatasetView(current.datasetId(), current.ownerId(), DatasetStatus.READY,
                current.createdAt(), current.subject(), ready.version(), images, List.of(), ready.report(),
                current.callbackUrl(), current.meta());
    }

    /** A rejected upload is REJECTED; a rejected reprocessing leaves a READY dataset as it was, with the problems. */
    private static DatasetView rejected(DatasetView current, DatasetRejected rejected) {
        return current.status() == DatasetStatus.READY
                ? new DatasetView(current.datasetId(), current.ownerId(), DatasetStatus.READY, current.createdAt(),
                current.subject(), current.version(), current.images(), rejected.problems(), current.report(),
                current.callbackUrl(), current.meta())
                : new DatasetView(current.datasetId(), current.ownerId(), DatasetStatus.REJECTED,
                current.createdAt(), current.subject(), null, List.of(), rejected.problems(), rejected.report(),
                current.callbackUrl(), current.meta());
    }
}
