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
import ai.booth.dataset.processing.PendingObject;
import ai.booth.dataset.processing.Rejection;
import ai.booth.dataset.processing.UploadFile;
import ai.booth.diffusion.io.FileTrees;
import ai.booth.service.ObjectStore;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * Builds dataset versions from S3 and stores them all-or-nothing: files are spooled to a private temp directory and
 * checked there, so a rejected file never reaches {@code raw/}; objects are written only for an accepted version,
 * {@code report.json} last, and the result is announced before the staged upload is removed. If anything fails on
 * the way, every object this job wrote is removed again (and a reprocessing restores the previous report).
 */
@ApplicationScoped
public class DatasetJobs {

    private static final Logger LOG = Logger.getLogger(DatasetJobs.class);
    private static final DatasetLimits LIMITS = DatasetLimits.DEFAULT;

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
        locks.with(ownerId, upload.datasetId(), () -> {
            if (store.exists(Buckets.DATASETS, Buckets.datasetReportKey(ownerId, upload.datasetId()))) {
                LOG.infof("dataset %s of %s is already processed; ignoring a repeated upload event",
                        upload.datasetId(), ownerId);
                return null;
            }
            DatasetSettings settings = upload.settings() == null ? DatasetSettings.DEFAULT : upload.settings();
            List<String> invalid = settings.problems();
            if (!invalid.isEmpty()) {
                announce.accept(new DatasetRejected(upload.datasetId(), invalid, null));
            } else {
                inWorkDir(workDir -> {
                    List<UploadFile> files = new ArrayList<>();
                    List<RejectedFile> refused = new ArrayList<>();
                    spoolStaged(ownerId, upload, workDir, files, refused);
                    DatasetJob job = new DatasetJob(ownerId, upload.datasetId(), 1, settings,
                            upload.instancePrompt(), workDir);
                    store(job, processor.ingest(job, files, refused), null, announce);
                });
            }
            upload.stagingKeys().stream().filter(key -> isStaged(ownerId, upload.datasetId(), key))
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
            byte[] previousJson = store.get(Buckets.DATASETS, reportKey);
            DatasetReport previous = read(previousJson);
            inWorkDir(workDir -> {
                List<UploadFile> originals = new ArrayList<>();
                for (ImageReport image : previous.images()) {
                    Path file = workDir.resolve("original-" + originals.size());
                    store.download(Buckets.DATASETS, image.originalKey(), file, Long.MAX_VALUE);
                    originals.add(new UploadFile(image.source(), file,
                            image.captionSource().equals("file") ? image.caption() : null, image.originalKey()));
                }
                String prompt = request.instancePrompt() != null ? request.instancePrompt()
                        : previous.instancePrompt();
                DatasetJob job = new DatasetJob(ownerId, request.datasetId(), previous.version() + 1,
                        request.settings(), prompt, workDir);
                store(job, processor.reprocess(job, originals), previousJson, announce);
            });
            return null;
        });
    }

    /** Writes an accepted build (report last) and announces it; undoes the writes if either fails. */
    private void store(DatasetJob job, DatasetBuild build, byte[] previousReport, Consumer<Payload> announce) {
        if (!build.accepted()) {
            announce.accept(new DatasetRejected(job.datasetId(), build.problems(), build.report()));
            return;
        }
        String reportKey = Buckets.datasetReportKey(job.ownerId(), job.datasetId());
        ObjectWrites writes = new ObjectWrites(store);
        try {
            for (PendingObject object : build.objects()) {
                writes.put(object.key(), object.file(), object.contentType());
            }
            writes.put(reportKey, write(build.report()), "application/json");
            announce.accept(new DatasetReady(job.datasetId(), job.version(), build.images(), reportKey,
                    build.report()));
        } catch (RuntimeException e) {
            writes.rollback();
            if (previousReport != null) {
                store.put(Buckets.DATASETS, reportKey, previousReport, "application/json");
            }
            throw e;
        }
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

    private interface WorkDirJob {
        void run(Path workDir) throws IOException;
    }

    private static void inWorkDir(WorkDirJob job) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("booth-dataset-");
            job.run(dir);
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

    private byte[] write(DatasetReport report) {
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsBytes(report);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the report of dataset " + report.datasetId(), e);
        }
    }

    private DatasetReport read(byte[] report) {
        try {
            return json.readValue(report, DatasetReport.class);
        } catch (IOException e) {
            throw new IllegalStateException("stored dataset report is not readable: " + e.getMessage(), e);
        }
    }
}
