package ai.booth.gateway.dataset;

import ai.booth.gateway.job.ImageLink;
import ai.booth.gateway.job.JobMeta;
import ai.booth.gateway.job.Links;
import ai.booth.gateway.job.Views;
import ai.booth.contracts.Buckets;
import ai.booth.contracts.DatasetReport;
import com.fasterxml.jackson.annotation.JsonIgnore;

import java.time.Instant;
import java.util.List;

/**
 * A dataset as the API shows it.
 *
 * @param datasetId    id to reference in trainings
 * @param ownerId      the owner it belongs to
 * @param status       where it is in its life
 * @param createdAt    when it was uploaded
 * @param subject      free-text description given at upload
 * @param version      the current processed version (READY only); reprocessing raises it
 * @param images       the training images of that version with captions and presigned URLs (READY only)
 * @param problems     why it was rejected (REJECTED), or why the last reprocessing failed (READY)
 * @param report       the quality report: per image size, face, crop, blur, duplicates; rejected files with reasons
 * @param callbackUrl  where its result is POSTed, if given
 * @param meta         creating key and request hash (not shown)
 */
public record DatasetView(String datasetId, String ownerId, DatasetStatus status, Instant createdAt, String subject,
                          Integer version, List<ImageLink> images, List<String> problems, DatasetReport report,
                          String callbackUrl, @JsonIgnore JobMeta meta) implements Views.Job {

    /** The S3 keys of the dataset's training images (what scoring compares generations with). */
    @JsonIgnore
    public List<String> imageKeys() {
        return images.stream().map(ImageLink::key).toList();
    }

    static DatasetView ingesting(String datasetId, String ownerId, Instant createdAt) {
        return new DatasetView(datasetId, ownerId, DatasetStatus.INGESTING, createdAt, null, null, List.of(),
                List.of(), null, null, JobMeta.NONE);
    }

    @Override
    public String id() {
        return datasetId;
    }

    DatasetView withUrls(Links links) {
        return new DatasetView(datasetId, ownerId, status, createdAt, subject, version,
                links.sign(Buckets.DATASETS, ownerId, images), problems, report, callbackUrl, meta);
    }

    @Override
    public boolean finished() {
        return status != DatasetStatus.INGESTING;
    }
}
