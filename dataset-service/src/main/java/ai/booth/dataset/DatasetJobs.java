package ai.booth.dataset;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.DatasetIngested;
import ai.booth.contracts.DatasetLimits;
import ai.booth.contracts.DatasetReady;
import ai.booth.contracts.DatasetRejected;
import ai.booth.contracts.DatasetReport;
import ai.booth.contracts.DatasetReprocessRequested;
import ai.booth.contracts.DatasetSettings;
import ai.booth.contracts.ImageReport;
import ai.booth.contracts.Payload;
import ai.booth.contracts.RejectedFile;
import ai.booth.dataset.processing.DatasetBuild;
import ai.booth.dataset.processing.DatasetJob;
import ai.booth.dataset.processing.DatasetProcessor;
import ai.booth.dataset.processing.FaceDetector;
import ai.booth.dataset.processing.PendingObject;
import ai.booth.dataset.processing.Rejection;
import ai.booth.dataset.processing.UploadFile;
import ai.booth.diffusion.io.FileTrees;
import ai.booth.service.ObjectStore;
import ai.booth.service.ObjectStoreException;
import ai.booth.service.ProcessTemp;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Builds dataset versions from S3 and stores them all-or-nothing: files are spooled to a private temp directory and
 * checked there, so a rejected file never reaches {@code raw/}; objects are written only for an accepted version,
 * {@code report.json} last, and the result is announced before the staged upload is removed. If anything fails on
 * the way, every object this job wrote is removed again (and a reprocessing restores the previous report).
 *
 * <p>Every job ends with DatasetReady or DatasetRejected: the gateway shows a dataset as ingesting until it hears one.
 * A failure (an object that cannot be read, a bug) ends it as rejected with reason {@code INTERNAL}; S3 being
 * unavailable (unreachable, or answering "try later") is no such failure: the job's writes are undone and the
 * {@link ObjectStoreException} is thrown on, for {@link DatasetEvents} to run the job again once S3 is back. An upload's outcome is stored
 * ({@code report.json}, or {@code rejected.json} for a rejection), so an upload delivered again after it ended is
 * answered from it, not processed again.
 */
@ApplicationScoped
public class DatasetJobs {

    /** The {@link ProcessTemp} name of a job's work folders. */
    private static final String WORK = "dataset";

    private static final Logger LOG = Logger.getLogger(DatasetJobs.class);
    private static final DatasetLimits LIMITS = DatasetLimits.DEFAULT;
    private static final String JSON = "application/json";

    private final ObjectStore store;
    private final DatasetProcessor processor;
    private final DatasetLocks locks;
    private final ObjectMapper json;

    public DatasetJobs(ObjectStore store, DatasetProcessor processor, DatasetLocks locks, ObjectMapper json) {
        this.store = store;
        this.processor = processor;
        this.locks = locks;
        this.json = json;
    }

    /** Checks and processes an upload into version 1, then hands DatasetReady or DatasetRejected to announce. */
    public void ingest(String ownerId, DatasetIngested upload, Consumer<Payload> announce) {
        String datasetId = upload.datasetId();
        locks.with(ownerId, datasetId, () -> {
            Optional<Payload> ended = outcome(ownerId, datasetId);
            if (ended.isPresent()) {
                LOG.infof("dataset %s of %s already ended (%s): announcing it again", datasetId, ownerId,
                        ended.get().getClass().getSimpleName());
                announce.accept(ended.get());
            } else {
                ObjectWrites writes = new ObjectWrites(store);
                Payload result = orRejected(datasetId, "upload", writes, () -> process(ownerId, upload, writes));
                if (result instanceof DatasetRejected rejected) {
                    storeRejection(ownerId, rejected, writes);
                }
                announce(result, writes, announce);
            }
            upload.stagingKeys().stream().filter(key -> isStaged(ownerId, datasetId, key))
                    .forEach(key -> store.remove(Buckets.DATASETS, key));
            return null;
        });
    }

    /** Processes the stored originals again into the next version. */
    public void reprocess(String ownerId, DatasetReprocessRequested request, Consumer<Payload> announce) {
        locks.with(ownerId, request.datasetId(), () -> {
            String reportKey = Buckets.datasetReportKey(ownerId, request.datasetId());
            List<String> invalid = request.settings().problems();
            if (!invalid.isEmpty() || !store.exists(Buckets.DATASETS, reportKey)) {
                announce.accept(new DatasetRejected(request.datasetId(), invalid.isEmpty()
                        ? List.of("dataset " + request.datasetId() + " of " + ownerId + " has no processed version"
                        + " to reprocess") : invalid, null));
                return null;
            }
            ObjectWrites writes = new ObjectWrites(store);
            Payload result = orRejected(request.datasetId(), "reprocessing", writes,
                    () -> reprocess(ownerId, request, reportKey, writes));
            announce(result, writes, announce);
            return null;
        });
    }

    private Payload process(String ownerId, DatasetIngested upload, ObjectWrites writes) {
        DatasetSettings settings = upload.settings() == null ? DatasetSettings.DEFAULT : upload.settings();
        List<String> invalid = settings.problems();
        if (!invalid.isEmpty()) {
            return new DatasetRejected(upload.datasetId(), invalid, null);
        }
        return inWorkDir(workDir -> {
            List<UploadFile> files = new ArrayList<>();
            List<RejectedFile> refused = new ArrayList<>();
            spoolStaged(ownerId, upload, workDir, files, refused);
            DatasetJob job = new DatasetJob(ownerId, upload.datasetId(), 1, settings, upload.instancePrompt(),
                    workDir);
            return write(job, processor.ingest(job, files, refused), null, writes);
        });
    }

    private Payload reprocess(String ownerId, DatasetReprocessRequested request, String reportKey,
                              ObjectWrites writes) {
        byte[] previousJson = store.get(Buckets.DATASETS, reportKey);
        DatasetReport previous = read(previousJson, DatasetReport.class);
        return inWorkDir(workDir -> {
            List<UploadFile> originals = new ArrayList<>();
            for (ImageReport image : previous.images()) {
                Path file = workDir.resolve("original-" + originals.size());
                store.download(Buckets.DATASETS, image.originalKey(), file, Long.MAX_VALUE);
                originals.add(new UploadFile(image.source(), file,
                        image.captionSource().equals("file") ? image.caption() : null, image.originalKey()));
            }
            String prompt = request.instancePrompt() != null ? request.instancePrompt() : previous.instancePrompt();
            DatasetJob job = new DatasetJob(ownerId, request.datasetId(), previous.version() + 1,
                    request.settings(), prompt, workDir);
            return write(job, processor.reprocess(job, originals), previousJson, writes);
        });
    }

    /**
     * Runs a job's work; a failure undoes its writes and becomes a rejection with reason INTERNAL, so the job still
     * ends with an answer (left to Kafka, the request would go to the dead-letter topic and nobody would hear).
     * Except when S3 was unavailable: that says nothing about the upload, so the writes are undone and the failure
     * is thrown on, for the job to be run again once S3 answers ({@link ObjectStoreException#unavailable()}).
     */
    private static Payload orRejected(String datasetId, String what, ObjectWrites writes, Supplier<Payload> work) {
        try {
            return work.get();
        } catch (RuntimeException | LinkageError e) {
            writes.rollback();
            if (ObjectStoreException.unavailable(e)) {
                throw e;
            }
            LOG.errorf(e, "%s of dataset %s failed", what, datasetId);
            String cause = e.getMessage() == null ? e.toString() : e.getMessage();
            return new DatasetRejected(datasetId, List.of(Rejection.problem(Rejection.INTERNAL
                    .with("dataset-service failed while processing it: " + cause).of(what))), null);
        }
    }

    /**
     * How an upload ended, if it did: ready when its report is stored (announced as the report says: a reprocessing
     * since then is the dataset's current version), rejected when its rejection is.
     */
    private Optional<Payload> outcome(String ownerId, String datasetId) {
        String reportKey = Buckets.datasetReportKey(ownerId, datasetId);
        if (store.exists(Buckets.DATASETS, reportKey)) {
            return Optional.of(ready(reportKey, read(store.get(Buckets.DATASETS, reportKey), DatasetReport.class)));
        }
        String rejectionKey = Buckets.datasetRejectionKey(ownerId, datasetId);
        if (store.exists(Buckets.DATASETS, rejectionKey)) {
            return Optional.of(read(store.get(Buckets.DATASETS, rejectionKey), DatasetRejected.class));
        }
        return Optional.empty();
    }

    /**
     * Stores an upload's rejection as its outcome; if even that fails, the rejection is still announced, unless S3 is
     * unavailable: then the job runs again when it is back, and stores it then.
     */
    private void storeRejection(String ownerId, DatasetRejected rejected, ObjectWrites writes) {
        try {
            writes.put(Buckets.datasetRejectionKey(ownerId, rejected.datasetId()), write(rejected), JSON);
        } catch (RuntimeException e) {
            if (ObjectStoreException.unavailable(e)) {
                throw e;
            }
            LOG.errorf("could not store the rejection of dataset %s of %s; announcing it anyway: %s",
                    rejected.datasetId(), ownerId, e.getMessage());
        }
    }

    /** Announces the result; undoes the job's writes if that fails, so a redelivery runs the job again. */
    private static void announce(Payload result, ObjectWrites writes, Consumer<Payload> announce) {
        try {
            announce.accept(result);
        } catch (RuntimeException e) {
            writes.rollback();
            throw e;
        }
    }

    /**
     * Writes an accepted build (report last, over {@code previousReport} if there is one) and answers DatasetReady;
     * a build without a training set answers DatasetRejected and writes nothing.
     */
    private Payload write(DatasetJob job, DatasetBuild build, byte[] previousReport, ObjectWrites writes) {
        if (!build.accepted()) {
            return new DatasetRejected(job.datasetId(), build.problems(), build.report());
        }
        for (PendingObject object : build.objects()) {
            writes.put(object.key(), object.file(), object.contentType());
        }
        String reportKey = Buckets.datasetReportKey(job.ownerId(), job.datasetId());
        writes.replace(reportKey, write(build.report()), JSON, previousReport);
        return ready(reportKey, build.report());
    }

    /** The one way a stored version is announced, first time or again: everything comes from its report. */
    private static DatasetReady ready(String reportKey, DatasetReport report) {
        return new DatasetReady(report.datasetId(), report.version(), DatasetBuild.trainingSet(report), reportKey,
                report);
    }

    /** Downloads the staged files, refusing keys outside this dataset's staging area and oversize objects. */
    private void spoolStaged(String ownerId, DatasetIngested upload, Path workDir, List<UploadFile> files,
                             List<RejectedFile> refused) {
        long maxBytes = Math.max(LIMITS.maxFileBytes(), LIMITS.maxArchiveBytes());
        for (String key : upload.stagingKeys()) {
            String name = key.substring(key.lastIndexOf('/') + 1);
            if (!isStaged(ownerId, upload.datasetId(), key)) {
                refused.add(Rejection.UNSAFE_PATH.with("not in this dataset's staging area").of(key));
                continue;
            }
            Path file = workDir.resolve("upload-" + files.size() + "-" + refused.size());
            OptionalLong size = store.download(Buckets.DATASETS, key, file, maxBytes);
            if (size.isEmpty()) {
                refused.add(Rejection.FILE_TOO_LARGE.with("over " + maxBytes + " bytes").of(name));
            } else {
                files.add(UploadFile.uploaded(name, file, null));
            }
        }
    }

    private static boolean isStaged(String ownerId, String datasetId, String key) {
        String name = key.substring(key.lastIndexOf('/') + 1);
        return !name.isEmpty() && !name.equals("..")
                && key.equals(Buckets.datasetStagingKey(ownerId, datasetId, name));
    }

    /** What a killed dataset-service left in the temporary folder goes when the next one starts. */
    void sweep(@Observes StartupEvent start) {
        ProcessTemp.sweep(WORK);
        ProcessTemp.sweep(FaceDetector.CASCADE);
    }

    private interface WorkDirJob {
        Payload run(Path workDir) throws IOException;
    }

    private static Payload inWorkDir(WorkDirJob job) {
        Path dir = null;
        try {
            dir = ProcessTemp.directory(WORK);
            return job.run(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (dir != null) {
                deleteTree(dir);
            }
        }
    }

    private static void deleteTree(Path dir) {
        try {
            FileTrees.delete(dir);
        } catch (UncheckedIOException e) {
            LOG.warnf("could not delete work directory %s: %s", dir, e.getMessage());
        }
    }

    private byte[] write(Object value) {
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    private <T> T read(byte[] stored, Class<T> type) {
        try {
            return json.readValue(stored, type);
        } catch (IOException e) {
            throw new IllegalStateException("stored " + type.getSimpleName() + " is not readable: " + e.getMessage(),
                    e);
        }
    }
}
