package ai.booth.dataset.processing;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.CropBox;
import ai.booth.contracts.DatasetLimits;
import ai.booth.contracts.DatasetReport;
import ai.booth.contracts.ImageReport;
import ai.booth.contracts.RejectedFile;
import ai.booth.contracts.ReportTotals;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static ai.booth.dataset.processing.Rejection.ARCHIVE_TOO_LARGE;
import static ai.booth.dataset.processing.Rejection.FILE_TOO_LARGE;
import static ai.booth.dataset.processing.Rejection.TOO_MANY_FILES;
import static ai.booth.dataset.processing.Rejection.UNSUPPORTED_ARCHIVE;

/**
 * Builds a dataset version from spooled files: unpacks archives, processes the images on its worker threads, groups
 * near-duplicates, captions, and writes the report. Stores nothing: the result lists the objects to store, so the
 * caller writes them only for a dataset that is accepted and can remove them all if writing fails. Each training
 * image goes to the job's work directory as soon as it is done and its pixels are freed, so memory holds at most one
 * image per worker thread, however many photos an upload has.
 */
public final class DatasetProcessor implements AutoCloseable {

    static final String CAPTION_FILE = "file";
    static final String CAPTION_PROMPT = "instancePrompt";
    static final String CAPTION_NONE = "none";

    private final DatasetLimits limits;
    private final ImageProcessor processor;
    private final ExecutorService workers;
    /** Training images in native memory right now, and the most there ever were (the memory bound's witness). */
    private final AtomicInteger imagesHeld = new AtomicInteger();
    private final AtomicInteger peakImagesHeld = new AtomicInteger();

    public DatasetProcessor(DatasetLimits limits, int threads) {
        this.limits = limits;
        this.processor = new ImageProcessor(limits);
        this.workers = Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, "dataset-image-worker");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Version 1 from the files of an upload, as staged: images and zip archives, told apart by content.
     *
     * @param refused  files of the upload the caller already refused (they appear in the report)
     */
    public DatasetBuild ingest(DatasetJob job, List<UploadFile> uploads, List<RejectedFile> refused) {
        List<UploadFile> candidates = new ArrayList<>();
        List<RejectedFile> rejected = new ArrayList<>(refused);
        List<String> warnings = new ArrayList<>();
        ArchiveReader archives = new ArchiveReader(limits, job.workDir());
        for (UploadFile upload : uploads) {
            try {
                Optional<String> archive = ArchiveReader.archiveType(head(upload.path()));
                if (archive.isEmpty()) {
                    candidates.add(upload);
                    continue;
                }
                if (!archive.get().equals("zip")) {
                    throw UNSUPPORTED_ARCHIVE.with("a " + archive.get() + " archive: upload images or a zip");
                }
                long size = Files.size(upload.path());
                if (size > limits.maxArchiveBytes()) {
                    throw ARCHIVE_TOO_LARGE.with(size + " bytes, over the limit of " + limits.maxArchiveBytes());
                }
                try (InputStream in = Files.newInputStream(upload.path())) {
                    ArchiveReader.Contents contents = archives.read(upload.source(), in);
                    candidates.addAll(contents.images());
                    rejected.addAll(contents.rejected());
                    warnings.addAll(contents.notes());
                }
            } catch (Rejection.Rejected e) {
                rejected.add(e.of(upload.source()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read spooled upload " + upload.path(), e);
            }
        }
        if (candidates.size() > limits.maxFiles()) {
            rejected.add(TOO_MANY_FILES.with(candidates.size() + " images, over the limit of " + limits.maxFiles())
                    .of("upload"));
            return build(job, List.of(), rejected, warnings);
        }
        return build(job, candidates, rejected, warnings);
    }

    /** A new version from stored originals (each with its key and its archive caption, if it had one). */
    public DatasetBuild reprocess(DatasetJob job, List<UploadFile> originals) {
        return build(job, originals, new ArrayList<>(), new ArrayList<>());
    }

    private record Outcome(UploadFile file, Processed image, Rejection.Rejected rejection) {
    }

    /** A processed photo once its training image is on disk: what the report needs, without the pixels. */
    private record Processed(ImageHeader header, Face face, CropBox crop, Path png, int width, int height,
                             double blurScore, long hash, List<String> notes) {
    }

    private DatasetBuild build(DatasetJob job, List<UploadFile> files, List<RejectedFile> rejected,
                               List<String> warnings) {
        List<Outcome> accepted = new ArrayList<>();
        for (Outcome outcome : processAll(job, files)) {
            if (outcome.rejection() != null) {
                rejected.add(outcome.rejection().of(outcome.file().source()));
            } else {
                accepted.add(outcome);
            }
        }
        int[] groups = NearDuplicates.groups(accepted.stream().map(o -> o.image().hash()).toList());
        List<ImageReport> reports = new ArrayList<>();
        int trainingImages = 0;
        List<PendingObject> objects = new ArrayList<>();
        int faces = 0;
        int blurry = 0;
        int leftOut = 0;
        int uncaptioned = 0;
        int upscaled = 0;
        for (int i = 0; i < accepted.size(); i++) {
            Outcome outcome = accepted.get(i);
            Processed image = outcome.image();
            UploadFile file = outcome.file();
            List<String> notes = new ArrayList<>(image.notes());
            upscaled += notes.stream().anyMatch(note -> note.startsWith(ImageProcessor.UPSCALED)) ? 1 : 0;
            String name = file.originalKey() != null ? stem(file.originalKey()) : index(i);
            String originalKey = file.originalKey();
            if (originalKey == null) {
                originalKey = Buckets.datasetRawKey(job.ownerId(), job.datasetId(),
                        name + "." + extension(image.header().format()));
                objects.add(new PendingObject(originalKey, file.path(), image.header().format().contentType()));
            }
            String caption = file.caption() != null ? file.caption()
                    : job.instancePrompt() != null ? job.instancePrompt() : "";
            String captionSource = file.caption() != null ? CAPTION_FILE
                    : job.instancePrompt() != null ? CAPTION_PROMPT : CAPTION_NONE;
            uncaptioned += captionSource.equals(CAPTION_NONE) ? 1 : 0;
            boolean isBlurry = image.blurScore() < QualityMetrics.BLURRY_BELOW;
            if (isBlurry) {
                blurry++;
                notes.add(String.format(Locale.ROOT, "blurry: blur score %.1f is below %.0f", image.blurScore(),
                        QualityMetrics.BLURRY_BELOW));
            }
            Optional<Outcome> keeper = groups[i] == 0 ? Optional.empty() : sharpestOf(accepted, groups, groups[i]);
            String processedKey = null;
            if (job.settings().dropNearDuplicates() && keeper.isPresent() && keeper.get() != outcome) {
                leftOut++;
                notes.add("near-duplicate of " + keeper.get().file().source() + ": left out of the training set");
            } else {
                processedKey = Buckets.datasetProcessedKey(job.ownerId(), job.datasetId(), job.version(),
                        name + ".png");
                objects.add(new PendingObject(processedKey, image.png(), "image/png"));
                objects.add(new PendingObject(Buckets.datasetProcessedKey(job.ownerId(), job.datasetId(),
                        job.version(), name + ".txt"), text(job, name + ".txt", caption), "text/plain; charset=utf-8"));
                trainingImages++;
            }
            faces += image.face() != null ? 1 : 0;
            reports.add(new ImageReport(file.source(), originalKey, image.header().format().label(),
                    size(file.path()), image.header().orientedWidth(), image.header().orientedHeight(),
                    image.header().orientation(), image.face() != null,
                    image.face() == null ? null : image.face().kind(), image.crop(), processedKey,
                    image.width(), image.height(), round(image.blurScore()), isBlurry,
                    QualityMetrics.hex(image.hash()), groups[i] == 0 ? null : groups[i], caption, captionSource,
                    notes));
        }
        if (upscaled > 0) {
            warnings.add(upscaled + " image(s) are smaller than the " + job.settings().resolution() + " px output and"
                    + " were upscaled (see their notes): usable, but photos of at least the output size give sharper"
                    + " results");
        }
        if (uncaptioned > 0) {
            warnings.add(uncaptioned + " image(s) have no caption: give an instance prompt or caption files");
        }
        if (trainingImages < limits.fewImages()) {
            warnings.add("only " + trainingImages + " training image(s): " + limits.fewImages()
                    + " or more give better results");
        } else if (trainingImages > limits.manyImages()) {
            warnings.add(trainingImages + " training images: more than " + limits.manyImages()
                    + " rarely help one subject and slow training down");
        }
        int duplicateGroups = Arrays.stream(groups).max().orElse(0);
        DatasetReport report = new DatasetReport(job.datasetId(), job.version(), job.settings(), job.instancePrompt(),
                reports, List.copyOf(rejected), List.copyOf(warnings),
                new ReportTotals(accepted.size() + rejected.size(), accepted.size(), rejected.size(), trainingImages,
                        faces, duplicateGroups, leftOut, blurry));
        List<String> problems = new ArrayList<>();
        if (trainingImages == 0) {
            rejected.forEach(file -> problems.add(Rejection.problem(file)));
            problems.add(files.isEmpty() && rejected.isEmpty() ? "the upload holds no files"
                    : "no image passed the checks");
        }
        return new DatasetBuild(report, List.copyOf(objects), List.copyOf(problems));
    }

    /** Processes every file on the worker threads; results in input order. */
    private List<Outcome> processAll(DatasetJob job, List<UploadFile> files) {
        List<Future<Outcome>> futures = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            UploadFile file = files.get(i);
            Path png = job.workDir().resolve("processed-" + i + ".png");
            futures.add(workers.submit(() -> processOne(job, file, png)));
        }
        List<Outcome> outcomes = new ArrayList<>();
        for (Future<Outcome> future : futures) {
            try {
                outcomes.add(future.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                futures.forEach(f -> f.cancel(true));
                throw new IllegalStateException("interrupted while processing dataset " + job.datasetId(), e);
            } catch (ExecutionException e) {
                futures.forEach(f -> f.cancel(true));
                throw new IllegalStateException("processing dataset " + job.datasetId() + " failed: "
                        + e.getCause(), e.getCause());
            }
        }
        return outcomes;
    }

    private Outcome processOne(DatasetJob job, UploadFile file, Path png) throws IOException {
        long size = Files.size(file.path());
        if (size > limits.maxFileBytes()) {
            return new Outcome(file, null, FILE_TOO_LARGE.with(size + " bytes, over the limit of "
                    + limits.maxFileBytes()));
        }
        try {
            ProcessedImage image = processor.process(Files.readAllBytes(file.path()), job.settings());
            peakImagesHeld.accumulateAndGet(imagesHeld.incrementAndGet(), Math::max);
            try {
                Files.write(png, image.png());
                return new Outcome(file, new Processed(image.header(), image.face(), image.crop(), png,
                        image.image().cols(), image.image().rows(), image.blurScore(), image.hash(), image.notes()),
                        null);
            } finally {
                // the pixels are on disk now: memory holds one image per worker thread, never a whole upload
                image.close();
                imagesHeld.decrementAndGet();
            }
        } catch (Rejection.Rejected e) {
            return new Outcome(file, null, e);
        }
    }

    private static Optional<Outcome> sharpestOf(List<Outcome> accepted, int[] groups, int group) {
        Outcome best = null;
        for (int i = 0; i < accepted.size(); i++) {
            if (groups[i] == group && (best == null || accepted.get(i).image().blurScore() > best.image().blurScore())) {
                best = accepted.get(i);
            }
        }
        return Optional.ofNullable(best);
    }

    private static Path text(DatasetJob job, String name, String content) {
        try {
            return Files.writeString(job.workDir().resolve("caption-" + name), content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] head(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(512);
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Two digits while they suffice, so keys sort in upload order. */
    private String index(int i) {
        return String.format(Locale.ROOT, limits.maxFiles() > 100 ? "%03d" : "%02d", i);
    }

    static String extension(ImageFormat format) {
        return format == ImageFormat.JPEG ? "jpg" : format.label();
    }

    private static String stem(String key) {
        String name = key.substring(key.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }

    /** The most training images this processor held in memory at once, over all jobs so far. */
    int peakImagesHeld() {
        return peakImagesHeld.get();
    }

    @Override
    public void close() {
        workers.shutdownNow();
    }
}
