package ai.booth.gateway.generation;

import ai.booth.contracts.Buckets;
import ai.booth.gateway.dataset.DatasetRegistry;
import ai.booth.gateway.dataset.DatasetView;
import ai.booth.gateway.http.Checks;
import ai.booth.service.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;

/**
 * A control image named as one of the caller's dataset images ({@code controls[i].datasetImage}) rather than sent:
 * the dataset must be the caller's and READY, the key one of the images it lists, and still stored. The sampler
 * reads it where it is (nothing is copied), under the owner's prefix only.
 */
@ApplicationScoped
class DatasetControlImages {

    private final DatasetRegistry datasets;
    private final ObjectStore store;

    DatasetControlImages(DatasetRegistry datasets, ObjectStore store) {
        this.datasets = datasets;
        this.store = store;
    }

    /** The image's key in {@link Buckets#DATASETS}, or null with the bad field named ({@code field.key}, ...). */
    String key(Checks checks, String field, GenerationSpec.DatasetImageSpec image, String ownerId) {
        Optional<DatasetView> dataset = datasets.ready(checks, field + ".datasetId", image.datasetId(), ownerId,
                "control images come from READY datasets");
        if (!checks.required(field + ".key", image.key()) || dataset.isEmpty()) {
            return null;
        }
        if (dataset.get().images().stream().noneMatch(listed -> listed.key().equals(image.key()))) {
            checks.fail(field + ".key", "is not an image of dataset '" + image.datasetId() + "' (one of its "
                    + "images[].key), got '" + image.key() + "'");
            return null;
        }
        if (!store.exists(Buckets.DATASETS, image.key())) {
            checks.fail(field + ".key", "'" + image.key() + "' is no longer stored");
            return null;
        }
        return image.key();
    }
}
