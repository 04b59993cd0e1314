package ai.booth.dataset.processing;

import ai.booth.contracts.DatasetImage;
import ai.booth.contracts.DatasetReport;

import java.util.List;

/**
 * The outcome of processing a dataset version, before anything is stored.
 *
 * @param report    the quality report
 * @param objects   what to store: accepted originals (new uploads only), training images and captions
 * @param problems  why there is no training set, one line per cause; empty when there is one
 */
public record DatasetBuild(DatasetReport report, List<PendingObject> objects, List<String> problems) {

    public boolean accepted() {
        return problems.isEmpty();
    }

    /** The training set, with keys and captions. */
    public List<DatasetImage> images() {
        return trainingSet(report);
    }

    /**
     * The training set a report describes: its images that have a training image, in upload order. The report is
     * the one record of a version, so a DatasetReady announced again from a stored report is the same as the first.
     */
    public static List<DatasetImage> trainingSet(DatasetReport report) {
        return report.images().stream().filter(image -> image.processedKey() != null)
                .map(image -> new DatasetImage(image.processedKey(), image.outputWidth(), image.outputHeight(),
                        "image/png", image.caption()))
                .toList();
    }
}
