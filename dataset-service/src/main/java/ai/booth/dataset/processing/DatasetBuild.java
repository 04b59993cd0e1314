package ai.booth.dataset.processing;

import ai.booth.contracts.DatasetImage;
import ai.booth.contracts.DatasetReport;

import java.util.List;

/**
 * The outcome of processing a dataset version, before anything is stored.
 *
 * @param report    the quality report
 * @param images    the training set, with keys and captions
 * @param objects   what to store: accepted originals (new uploads only), training images and captions
 * @param problems  why there is no training set, one line per cause; empty when there is one
 */
public record DatasetBuild(DatasetReport report, List<DatasetImage> images, List<PendingObject> objects,
                           List<String> problems) {

    public boolean accepted() {
        return problems.isEmpty();
    }
}
