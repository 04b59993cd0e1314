package ai.booth.gateway.dataset;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.DatasetIngested;
import ai.booth.contracts.DatasetLimits;
import ai.booth.contracts.DatasetReport;
import ai.booth.contracts.DatasetReprocessRequested;
import ai.booth.contracts.DatasetSettings;
import ai.booth.contracts.Event;
import ai.booth.contracts.Topics;
import ai.booth.gateway.auth.Caller;
import ai.booth.gateway.auth.RateLimits;
import ai.booth.gateway.http.Checks;
import ai.booth.gateway.http.ProblemException;
import ai.booth.gateway.job.Accepted;
import ai.booth.gateway.job.CallbackPolicy;
import ai.booth.gateway.job.Idempotency;
import ai.booth.gateway.job.JobMeta;
import ai.booth.gateway.job.JobService;
import ai.booth.gateway.job.JobStarter;
import ai.booth.gateway.job.Links;
import ai.booth.gateway.job.ViewHistory;
import ai.booth.gateway.model.PromptLength;
import ai.booth.service.ObjectStore;
import jakarta.inject.Singleton;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Datasets as a job kind started by a multipart upload rather than a JSON spec: the upload's settings are checked,
 * its files staged in S3 (all or nothing) and DatasetIngested published; reprocessing a READY dataset publishes
 * DatasetReprocessRequested.
 */
@Singleton // not a client proxy: JobService has no no-args constructor, and nothing here needs laziness
public class DatasetService extends JobService<DatasetView> {

    private static final DatasetLimits LIMITS = DatasetLimits.DEFAULT;

    private final ObjectStore store;
    private final DatasetRegistry registry;
    private final RateLimits rateLimits;
    private final JobStarter starter;
    private final Links links;
    private final CallbackPolicy callbacks;
    private final Emitter<Event<?>> ingested;
    private final Emitter<Event<?>> reprocess;

    public DatasetService(ObjectStore store, DatasetRegistry registry, Caller caller, RateLimits rateLimits,
                          JobStarter starter, ViewHistory history, Links links, CallbackPolicy callbacks,
                          @Channel(Topics.DATASET_INGESTED) Emitter<Event<?>> ingested,
                          @Channel(Topics.DATASET_REPROCESS_REQUESTED) Emitter<Event<?>> reprocess) {
        super("dataset", registry, caller, history);
        this.store = store;
        this.registry = registry;
        this.rateLimits = rateLimits;
        this.starter = starter;
        this.links = links;
        this.callbacks = callbacks;
        this.ingested = ingested;
        this.reprocess = reprocess;
    }

    @Override
    public DatasetView render(DatasetView view) {
        return view.withUrls(links);
    }

    /** Reads, checks and stages an upload, then publishes DatasetIngested (202), or replays an earlier one (200). */
    public CompletionStage<Response> upload(String idempotencyKey, String contentType, InputStream body)
            throws IOException {
        String ownerId = caller().ownerId();
        String datasetId = Idempotency.jobId("datasets", ownerId, idempotencyKey);
        starter.admit("datasets", registry.views(), datasetId); // before the body: the most expensive call to receive
        try (DatasetUpload upload = DatasetUpload.read(body, contentType, LIMITS)) {
            Optional<DatasetView> earlier = Idempotency.replay(registry.find(datasetId, ownerId), upload.sha256(),
                    idempotencyKey);
            if (earlier.isPresent()) {
                return CompletableFuture.completedFuture(JobStarter.replayed(earlier.get(), this::render));
            }
            DatasetSettings settings = settings(upload);
            List<String> keys = stage(ownerId, datasetId, upload);
            JobMeta meta = new JobMeta(caller().key().id(), upload.field("callbackUrl"), upload.sha256());
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

    /** The quality report; 404 until dataset-service has written one. */
    public DatasetReport report(String datasetId) {
        DatasetView view = find(datasetId);
        if (view.report() == null) {
            throw ProblemException.of(Response.Status.NOT_FOUND, "dataset '" + datasetId + "' is "
                    + view.status() + " and has no report yet");
        }
        return view.report();
    }

    /** Publishes DatasetReprocessRequested for a READY dataset (409 otherwise). */
    public CompletionStage<Response> reprocess(String datasetId, ReprocessSpec spec) {
        DatasetView view = find(datasetId);
        if (view.status() != DatasetStatus.READY) {
            throw ProblemException.conflict("dataset-not-ready", "dataset '" + datasetId + "' is " + view.status()
                    + ", not READY");
        }
        rateLimits.spend(caller().key()); // before the checks: a request that fails validation costs a token too
        ReprocessSpec given = spec == null ? new ReprocessSpec(null, null, null, null, null) : spec;
        DatasetSettings settings = validated(DatasetSettings.of(given.cropMode(), given.resolution(),
                given.aspectBuckets(), given.dropNearDuplicates()), new Checks());
        Event<DatasetReprocessRequested> event = Event.of(datasetId, caller().ownerId(),
                new DatasetReprocessRequested(datasetId, settings, given.instancePrompt()));
        return Accepted.afterPublishing(reprocess, event, "/api/v1/datasets/" + datasetId, render(view));
    }

    /** The upload's form fields as DatasetSettings; every bad field named in one 400 problem. */
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
