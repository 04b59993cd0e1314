package ai.booth.trainer;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.DatasetReport;
import ai.booth.contracts.ImageReport;
import ai.booth.service.ObjectStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fetches a processed dataset into a folder the engine's DreamBooth dataset reads: the training images of the
 * dataset's current version (its {@code report.json}, written last by dataset-service) with one caption file each.
 */
@ApplicationScoped
public class DatasetFiles {

    private final ObjectStore store;
    private final ObjectMapper json;

    public DatasetFiles(ObjectStore store, ObjectMapper json) {
        this.store = store;
        this.json = json;
    }

    /** The current report of a ready dataset; DATASET_NOT_READY when it has none or no training images. */
    DatasetReport report(String ownerId, String datasetId) {
        String key = Buckets.datasetReportKey(ownerId, datasetId);
        if (!store.exists(Buckets.DATASETS, key)) {
            throw new JobFailure("DATASET_NOT_READY", "dataset " + datasetId + " of " + ownerId
                    + " is not processed (no " + key + ")");
        }
        DatasetReport report;
        try {
            report = json.readValue(store.get(Buckets.DATASETS, key), DatasetReport.class);
        } catch (IOException e) {
            throw new JobFailure("DATASET_NOT_READY", "dataset report " + key + " is unreadable: " + e.getMessage(), e);
        }
        if (trainingImages(report).isEmpty()) {
            throw new JobFailure("DATASET_NOT_READY", "dataset " + datasetId + " version " + report.version()
                    + " has no training images");
        }
        return report;
    }

    /**
     * Downloads the training images into {@code dir} ({@code 00.png}, ...), with {@code 00.txt} beside an image whose
     * caption came from a caption file of the upload; the others train with the request's instance prompt (the
     * upload's default caption need not contain the training's instance token).
     */
    void download(DatasetReport report, Path dir) {
        try {
            Files.createDirectories(dir);
            for (ImageReport image : trainingImages(report)) {
                String name = image.processedKey().substring(image.processedKey().lastIndexOf('/') + 1);
                store.download(Buckets.DATASETS, image.processedKey(), dir.resolve(name), Long.MAX_VALUE);
                if ("file".equals(image.captionSource())) { // the user's own caption; else the job's instance prompt
                    Files.writeString(dir.resolve(name.substring(0, name.lastIndexOf('.')) + ".txt"), image.caption());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write dataset files to " + dir, e);
        }
    }

    private static List<ImageReport> trainingImages(DatasetReport report) {
        return report.images().stream().filter(image -> image.processedKey() != null).toList();
    }
}
