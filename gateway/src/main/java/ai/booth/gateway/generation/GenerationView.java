package ai.booth.gateway.generation;

import ai.booth.gateway.job.ImageLink;
import ai.booth.gateway.job.JobMeta;
import ai.booth.gateway.job.JobStatus;
import ai.booth.gateway.job.Links;
import ai.booth.gateway.job.Views;
import ai.booth.contracts.Buckets;
import ai.booth.contracts.GenerationCompleted;
import ai.booth.contracts.GenerationFailed;
import ai.booth.contracts.GenerationRequested;
import com.fasterxml.jackson.annotation.JsonIgnore;

import java.time.Instant;
import java.util.List;

/**
 * A generation as the API shows it.
 *
 * @param generationId  id of the request
 * @param ownerId       the owner it belongs to
 * @param status        REQUESTED, COMPLETED or FAILED
 * @param createdAt     when it was requested
 * @param request       what was asked, defaults applied (every image's parameters: image i has seed + i)
 * @param images        the images with seeds and presigned URLs, once COMPLETED (row-major for grids)
 * @param grid          the assembled grid image, when a grid was requested
 * @param controlMaps   the map each ControlNet unit was fed (after its preprocessor), in {@code controls} order,
 *                      once COMPLETED
 * @param totalMillis   wall time including model loading, once COMPLETED
 * @param failure       the reason, once FAILED
 * @param callbackUrl   where its result is POSTed, if given
 * @param meta          creating key and request hash (not shown)
 */
public record GenerationView(String generationId, String ownerId, JobStatus status, Instant createdAt,
                             GenerationRequested request, List<ImageLink> images, ImageLink grid,
                             List<ImageLink> controlMaps, Long totalMillis, GenerationFailed failure, String callbackUrl, @JsonIgnore JobMeta meta)
        implements Views.Job {

    static GenerationView unknown(String generationId, String ownerId, Instant createdAt) {
        return new GenerationView(generationId, ownerId, JobStatus.REQUESTED, createdAt, null, List.of(), null,
                List.of(), null, null, null, JobMeta.NONE);
    }

    @Override
    public String id() {
        return generationId;
    }

    GenerationView requested(Instant at, GenerationRequested asked, JobMeta given) {
        return new GenerationView(generationId, ownerId, status, at, asked, images, grid, controlMaps, totalMillis,
                failure, given.callbackUrl(), given);
    }

    GenerationView completed(GenerationCompleted done) {
        List<ImageLink> rendered = done.images().stream().map(image -> new ImageLink(image.key(), null, null, null,
                null, image.seed(), null, image.millis())).toList();
        return new GenerationView(generationId, ownerId, JobStatus.COMPLETED, createdAt, request, rendered,
                done.gridKey() == null ? null : ImageLink.of(done.gridKey()),
                done.controlMapKeys().stream().map(ImageLink::of).toList(), done.totalMillis(), null, callbackUrl,
                meta);
    }

    GenerationView failed(GenerationFailed why) {
        return new GenerationView(generationId, ownerId, JobStatus.FAILED, createdAt, request, List.of(), null,
                List.of(), null, why, callbackUrl, meta);
    }

    GenerationView withUrls(Links links) {
        return new GenerationView(generationId, ownerId, status, createdAt, request,
                links.sign(Buckets.GENERATIONS, ownerId, images), links.sign(Buckets.GENERATIONS, ownerId, grid),
                links.sign(Buckets.GENERATIONS, ownerId, controlMaps), totalMillis, failure, callbackUrl, meta);
    }

    @Override
    public boolean finished() {
        return status.finished();
    }
}
