package ai.booth.gateway.dataset;

import ai.booth.contracts.DatasetIngested;
import ai.booth.contracts.DatasetReady;
import ai.booth.contracts.DatasetRejected;
import ai.booth.gateway.http.Checks;
import ai.booth.gateway.job.ImageLink;
import ai.booth.gateway.job.JobRegistry;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Optional;

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

    /**
     * The caller's dataset named in {@code field}, which must be READY ({@code need} says for what); someone else's
     * reads as absent, as everywhere in the API.
     */
    public Optional<DatasetView> ready(Checks checks, String field, String datasetId, String ownerId, String need) {
        if (!checks.required(field, datasetId)) {
            return Optional.empty();
        }
        Optional<DatasetView> dataset = find(datasetId, ownerId);
        if (dataset.isEmpty()) {
            checks.fail(field, "no dataset '" + datasetId + "'");
        } else if (dataset.get().status() != DatasetStatus.READY) {
            checks.fail(field, "dataset '" + datasetId + "' is " + dataset.get().status() + "; " + need);
        }
        return dataset.filter(view -> view.status() == DatasetStatus.READY);
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
