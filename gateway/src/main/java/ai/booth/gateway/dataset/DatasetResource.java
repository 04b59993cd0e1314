package ai.booth.gateway.dataset;

import ai.booth.gateway.http.Checks;
import ai.booth.gateway.http.ProblemException;
import ai.booth.gateway.job.JobMeta;
import ai.booth.gateway.job.Page;
import ai.booth.gateway.model.PromptLength;
import ai.booth.gateway.auth.Caller;
import ai.booth.gateway.auth.RateLimits;
import ai.booth.gateway.job.CallbackPolicy;
import ai.booth.gateway.job.Idempotency;
import ai.booth.gateway.job.JobStarter;
import ai.booth.gateway.job.Links;
import ai.booth.contracts.Buckets;
import ai.booth.contracts.DatasetIngested;
import ai.booth.contracts.DatasetLimits;
import ai.booth.contracts.DatasetReport;
import ai.booth.contracts.DatasetReprocessRequested;
import ai.booth.contracts.DatasetSettings;
import ai.booth.contracts.Event;
import ai.booth.contracts.Topics;
import ai.booth.service.EventMessages;
import ai.booth.service.ObjectStore;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Datasets: photos of one subject, uploaded for training. */
@Path("/api/v1/datasets")
@Tag(name = "datasets")
@Produces(MediaType.APPLICATION_JSON)
public class DatasetResource {

    private static final DatasetLimits LIMITS = DatasetLimits.DEFAULT;

    private final ObjectStore store;
    private final DatasetRegistry registry;
    private final Caller caller;
    private final RateLimits rateLimits;
    private final JobStarter starter;
    private final Links links;
    private final Emitter<Event<?>> ingested;
    private final Emitter<Event<?>> reprocess;
    private final CallbackPolicy callbacks;

    public DatasetResource(ObjectStore store, DatasetRegistry registry, Caller caller, RateLimits rateLimits,
                           JobStarter starter, Links links, CallbackPolicy callbacks,
                           @Channel(Topics.DATASET_INGESTED) Emitter<Event<?>> ingested,
                           @Channel(Topics.DATASET_REPROCESS_REQUESTED) Emitter<Event<?>> reprocess) {
        this.store = store;
        this.registry = registry;
        this.caller = caller;
        this.rateLimits = rateLimits;
        this.starter = starter;
        this.links = links;
        this.ingested = ingested;
        this.reprocess = reprocess;
        this.callbacks = callbacks;
    }

    @POST
    @Blocking
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Operation(summary = "Upload photos of a subject",
            description = "Images and zip archives of images, with optional caption files (name.txt beside"
                    + " name.jpg). Limits are enforced while the body arrives: a file over its limit stops the"
                    + " upload with 413 and nothing is stored. The files are staged in S3 and DatasetIngested is"
                    + " published; the dataset becomes READY (training images, captions, quality report) or"
                    + " REJECTED (one reason per file) once dataset-service has processed it.")
    @RequestBody(content = @Content(mediaType = MediaType.MULTIPART_FORM_DATA,
            schema = @Schema(implementation = UploadForm.class)))
    @APIResponse(responseCode = "202", description = "staged; processing")
    @APIResponse(responseCode = "200", description = "the dataset this Idempotency-Key created before")
    @APIResponse(responseCode = "413", description = "a file or the upload is over its limit; nothing stored")
    public CompletionStage<Response> create(@HeaderParam(Idempotency.HEADER) String idempotencyKey,
                                            @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
                                            InputStream body) throws IOException {
        String ownerId = caller.ownerId();
        String datasetId = Idempotency.jobId("datasets", ownerId, idempotencyKey);
        rateLimits.spend(caller.key()); // before the body: uploads are the most expensive call to receive
        try (DatasetUpload upload = DatasetUpload.read(body, contentType, LIMITS)) {
            Optional<DatasetView> earlier = Idempotency.replay(registry.find(datasetId, ownerId), upload.sha256(),
                    idempotencyKey);
            if (earlier.isPresent()) {
                return CompletableFuture.completedFuture(JobStarter.replayed(earlier.get(), this::render));
            }
            DatasetSettings settings = settings(upload);
            List<String> keys = stage(ownerId, datasetId, upload);
            JobMeta meta = new JobMeta(caller.key().id(), upload.field("callbackUrl"), upload.sha256());
            DatasetView fresh = new DatasetView(datasetId, ownerId, DatasetStatus.INGESTING, Instant.now(),
                    upload.field("subject"), null, List.of(), List.of(), null, meta.callbackUrl(), meta);
            Event<DatasetIngested> event = Event.of(datasetId, ownerId, new DatasetIngested(datasetId, keys,
                    upload.field("subject"), upload.field("instancePrompt"), settings));
            return starter.publish(registry.views(), new JobStarter.Job<>(fresh, event), ingested,
                    "/api/v1/datasets/" + datasetId, idempotencyKey, this::render).whenComplete((response, failure) -> {
                        if (failure != null) {
                            unstage(keys);
                        }
                    });
        }
    }

    @GET
    @Operation(summary = "Your datasets, newest first")
    public Page<DatasetView> list(@QueryParam("offset") @DefaultValue("0") int offset,
                             @QueryParam("limit") @DefaultValue("20") int limit) {
        Page.check(offset, limit);
        return registry.views().page(caller.ownerId(), offset, limit).map(this::render);
    }

    @GET
    @Path("/{datasetId}")
    @Operation(summary = "A dataset's status and, once READY, its training images (presigned URLs) and report")
    @APIResponse(responseCode = "404", description = "no such dataset of yours")
    public DatasetView get(@PathParam("datasetId") String datasetId) {
        return render(find(datasetId));
    }

    @GET
    @Path("/{datasetId}/report")
    @Operation(summary = "A dataset's quality report: per image size, face, crop, blur, duplicates; rejected files")
    @APIResponse(responseCode = "404", description = "no such dataset of yours, or no report yet")
    public DatasetReport report(@PathParam("datasetId") String datasetId) {
        DatasetView view = find(datasetId);
        if (view.report() == null) {
            throw ProblemException.of(Response.Status.NOT_FOUND, "dataset '" + datasetId + "' is "
                    + view.status() + " and has no report yet");
        }
        return view.report();
    }

    @POST
    @Path("/{datasetId}/reprocess")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Process a ready dataset again with other settings",
            description = "Crop mode, resolution, buckets, duplicates or instance prompt, without uploading again."
                    + " Publishes DatasetReprocessRequested; the dataset's version rises when the new training set"
                    + " is stored.")
    @APIResponse(responseCode = "409", description = "the dataset is not READY")
    public CompletionStage<Response> reprocess(@PathParam("datasetId") String datasetId, ReprocessSpec spec) {
        DatasetView view = find(datasetId);
        if (view.status() != DatasetStatus.READY) {
            throw ProblemException.conflict("dataset-not-ready", "dataset '" + datasetId + "' is " + view.status()
                    + ", not READY");
        }
        rateLimits.spend(caller.key()); // before the checks: a request that fails validation costs a token too
        ReprocessSpec given = spec == null ? new ReprocessSpec(null, null, null, null, null) : spec;
        DatasetSettings settings = validated(DatasetSettings.of(given.cropMode(), given.resolution(),
                given.aspectBuckets(), given.dropNearDuplicates()), new Checks());
        Event<DatasetReprocessRequested> event = Event.of(datasetId, caller.ownerId(),
                new DatasetReprocessRequested(datasetId, settings, given.instancePrompt()));
        return EventMessages.send(reprocess, event).thenApply(acked -> Response.accepted(render(view))
                .location(URI.create("/api/v1/datasets/" + datasetId)).build());
    }

    private DatasetView find(String datasetId) {
        return registry.find(datasetId, caller.ownerId())
                .orElseThrow(() -> ProblemException.notFound("dataset", datasetId));
    }

    private DatasetView render(DatasetView view) {
        return view.withUrls(links);
    }

    private DatasetSettings settings(DatasetUpload upload) {
        Checks checks = new Checks();
        Integer resolution = null;
        String text = upload.field("resolution");
        if (text != null) {
            try {
                resolution = Integer.parseInt(text.strip());
            } catch (NumberFormatException e) {
                checks.fail("resolution", "must be a whole number of pixels, got '" + text + "'");
            }
        }
        Boolean buckets = bool(checks, "aspectBuckets", upload.field("aspectBuckets"));
        Boolean duplicates = bool(checks, "dropNearDuplicates", upload.field("dropNearDuplicates"));
        checks.length("subject", upload.field("subject"), 200);
        checks.length("instancePrompt", upload.field("instancePrompt"), PromptLength.MAX_CHARACTERS);
        callbacks.check(checks, "callbackUrl", upload.field("callbackUrl"));
        return validated(DatasetSettings.of(upload.field("cropMode"), resolution == null ? null : resolution,
                buckets, duplicates), checks);
    }

    private static DatasetSettings validated(DatasetSettings settings, Checks checks) {
        for (String problem : settings.problems()) {
            checks.fail(problem.substring(0, problem.indexOf(' ')), problem.substring(problem.indexOf(' ') + 1));
        }
        checks.done();
        return settings;
    }

    private static Boolean bool(Checks checks, String field, String text) {
        if (text == null) {
            return null;
        }
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "true", "on", "1" -> true;
            case "false", "off", "0" -> false;
            default -> {
                checks.fail(field, "must be true or false, got '" + text + "'");
                yield null;
            }
        };
    }

    /** Stores the spooled files in the staging area; all or nothing. */
    private List<String> stage(String ownerId, String datasetId, DatasetUpload upload) {
        List<String> keys = new ArrayList<>();
        try {
            for (DatasetUpload.File file : upload.files()) {
                String key = Buckets.datasetStagingKey(ownerId, datasetId, String.format(Locale.ROOT, "%02d-%s",
                        keys.size(), safeFileName(file.fileName())));
                store.put(Buckets.DATASETS, key, file.path(),
                        file.contentType() == null ? MediaType.APPLICATION_OCTET_STREAM : file.contentType());
                keys.add(key);
            }
            return keys;
        } catch (RuntimeException e) {
            unstage(keys);
            throw e;
        }
    }

    private void unstage(List<String> keys) {
        keys.forEach(key -> store.remove(Buckets.DATASETS, key));
    }

    /** Keeps letters, digits, dot, dash and underscore of the client's file name; the rest becomes '_'. */
    static String safeFileName(String name) {
        String base = name == null ? "" : name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
        String safe = base.replaceAll("[^A-Za-z0-9._-]", "_").replaceAll("^\\.+", "");
        return safe.isEmpty() ? "image" : safe.substring(0, Math.min(safe.length(), 80));
    }
}
