package ai.booth.gateway;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.DatasetIngested;
import ai.booth.contracts.DatasetLimits;
import ai.booth.contracts.DatasetReprocessRequested;
import ai.booth.contracts.DatasetSettings;
import ai.booth.contracts.Event;
import ai.booth.contracts.Topics;
import ai.booth.service.ObjectStore;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/** Datasets: photos of one subject, uploaded for training. */
@Path("/api/v1/datasets")
@Tag(name = "datasets")
@Produces(MediaType.APPLICATION_JSON)
public class DatasetResource {

    private static final DatasetLimits LIMITS = DatasetLimits.DEFAULT;
    private static final byte[] ZIP = {'P', 'K', 3, 4};

    private final ObjectStore store;
    private final DatasetRegistry registry;
    private final Emitter<Event<?>> ingested;
    private final Emitter<Event<?>> reprocess;

    public DatasetResource(ObjectStore store, DatasetRegistry registry,
                           @Channel(Topics.DATASET_INGESTED) Emitter<Event<?>> ingested,
                           @Channel(Topics.DATASET_REPROCESS_REQUESTED) Emitter<Event<?>> reprocess) {
        this.store = store;
        this.registry = registry;
        this.ingested = ingested;
        this.reprocess = reprocess;
    }

    @POST
    @Blocking
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Operation(summary = "Upload photos of a subject",
            description = "Images (JPEG, PNG, WebP, BMP) and zip archives of images, with optional caption files"
                    + " (name.txt beside name.jpg). Stores them in the datasets bucket's staging area and publishes"
                    + " DatasetIngested. The dataset becomes READY, with its training images, captions and quality"
                    + " report, or REJECTED with one reason per file, once dataset-service has processed it.")
    public CompletionStage<Response> create(@HeaderParam(Owners.HEADER) String ownerHeader,
                                            @RestForm("images") List<FileUpload> images,
                                            @RestForm("subject") String subject,
                                            @RestForm("instancePrompt") String instancePrompt,
                                            @RestForm("cropMode") String cropMode,
                                            @RestForm("resolution") Integer resolution,
                                            @RestForm("aspectBuckets") Boolean aspectBuckets,
                                            @RestForm("dropNearDuplicates") Boolean dropNearDuplicates)
            throws IOException {
        String ownerId = Owners.require(ownerHeader);
        if (images == null || images.isEmpty() || images.size() > LIMITS.maxFiles()) {
            throw new IllegalArgumentException("form field 'images' must hold 1-" + LIMITS.maxFiles() + " files, got "
                    + (images == null ? 0 : images.size()));
        }
        DatasetSettings settings = DatasetSettings.of(cropMode, resolution, aspectBuckets, dropNearDuplicates)
                .validated();
        refuseOversizeFiles(images);
        String datasetId = UUID.randomUUID().toString();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            FileUpload image = images.get(i);
            String key = Buckets.datasetStagingKey(ownerId, datasetId, String.format(Locale.ROOT, "%02d-%s", i,
                    safeFileName(image.fileName())));
            store.put(Buckets.DATASETS, key, image.uploadedFile(),
                    image.contentType() == null ? MediaType.APPLICATION_OCTET_STREAM : image.contentType());
            keys.add(key);
        }
        registry.ingesting(datasetId, ownerId);
        Event<DatasetIngested> event = Event.of(datasetId, ownerId,
                new DatasetIngested(datasetId, keys, subject, instancePrompt, settings));
        return Accepted.afterPublishing(ingested, event, "/api/v1/datasets/" + datasetId,
                DatasetView.ingesting(datasetId, ownerId));
    }

    @GET
    @Path("/{datasetId}")
    @Operation(summary = "A dataset's status and, once READY, its checked images")
    public DatasetView get(@HeaderParam(Owners.HEADER) String ownerHeader, @PathParam("datasetId") String datasetId) {
        return registry.find(datasetId, Owners.require(ownerHeader))
                .orElseThrow(() -> new NotFoundException("no dataset " + datasetId));
    }

    @POST
    @Path("/{datasetId}/reprocess")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Process a ready dataset again with other settings",
            description = "Crop mode, resolution, buckets, duplicates or instance prompt, without uploading again."
                    + " Publishes DatasetReprocessRequested; the dataset's version rises when the new training set"
                    + " is stored.")
    public CompletionStage<Response> reprocess(@HeaderParam(Owners.HEADER) String ownerHeader,
                                               @PathParam("datasetId") String datasetId, ReprocessSpec spec) {
        String ownerId = Owners.require(ownerHeader);
        DatasetView view = registry.find(datasetId, ownerId)
                .orElseThrow(() -> new NotFoundException("no dataset " + datasetId));
        if (view.status() != DatasetStatus.READY) {
            throw new WebApplicationException(Response.status(Response.Status.CONFLICT)
                    .entity(new ApiError("dataset " + datasetId + " is " + view.status() + ", not READY")).build());
        }
        ReprocessSpec given = spec == null ? new ReprocessSpec(null, null, null, null, null) : spec;
        DatasetSettings settings = DatasetSettings.of(given.cropMode(), given.resolution(), given.aspectBuckets(),
                given.dropNearDuplicates()).validated();
        Event<DatasetReprocessRequested> event = Event.of(datasetId, ownerId,
                new DatasetReprocessRequested(datasetId, settings, given.instancePrompt()));
        return Accepted.afterPublishing(reprocess, event, "/api/v1/datasets/" + datasetId, view);
    }

    /** 413 naming every file over its limit (archives, told by their first bytes, may be larger than images). */
    private static void refuseOversizeFiles(List<FileUpload> files) throws IOException {
        List<String> oversize = new ArrayList<>();
        for (FileUpload file : files) {
            boolean zip;
            try (InputStream in = Files.newInputStream(file.uploadedFile())) {
                zip = Arrays.equals(in.readNBytes(ZIP.length), ZIP);
            }
            long limit = zip ? LIMITS.maxArchiveBytes() : LIMITS.maxFileBytes();
            if (file.size() > limit) {
                oversize.add(file.fileName() + ": " + file.size() + " bytes, over the " + (zip ? "archive" : "image")
                        + " limit of " + limit);
            }
        }
        if (!oversize.isEmpty()) {
            throw new WebApplicationException(Response.status(Response.Status.REQUEST_ENTITY_TOO_LARGE)
                    .entity(new ApiError(String.join("; ", oversize))).build());
        }
    }

    /** Keeps letters, digits, dot, dash and underscore of the client's file name; the rest becomes '_'. */
    static String safeFileName(String name) {
        String base = name == null ? "" : name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
        String safe = base.replaceAll("[^A-Za-z0-9._-]", "_").replaceAll("^\\.+", "");
        return safe.isEmpty() ? "image" : safe.substring(0, Math.min(safe.length(), 80));
    }
}
