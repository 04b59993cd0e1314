package ai.booth.sampler;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.ControlRef;
import ai.booth.contracts.Event;
import ai.booth.contracts.GeneratedImage;
import ai.booth.contracts.GenerationCompleted;
import ai.booth.contracts.GenerationFailed;
import ai.booth.contracts.GenerationRequested;
import ai.booth.contracts.GenerationTimings;
import ai.booth.contracts.LoraRef;
import ai.booth.contracts.Payload;
import ai.booth.contracts.Topics;
import ai.booth.diffusion.io.FileTrees;
import ai.booth.diffusion.pipeline.GenerationParams;
import ai.booth.diffusion.pipeline.GenerationResult;
import ai.booth.diffusion.pipeline.PipelineAssets;
import ai.booth.diffusion.pipeline.StepListener;
import ai.booth.diffusion.pipeline.SweepRenderer;
import ai.booth.diffusion.pipeline.TextToImagePipeline;
import ai.booth.service.Backoff;
import ai.booth.service.EventMessages;
import ai.booth.service.GenerationResults;
import ai.booth.service.ObjectStore;
import ai.booth.service.ObjectStoreException;
import ai.booth.service.ProcessTemp;
import ai.booth.service.S3Wait;
import ai.booth.service.models.ModelCache;
import ai.booth.service.models.ModelCacheException;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Renders admitted generation requests. A request whose result.json exists is answered from it without rendering
 * (duplicates, and the trainer's class-image sets). The rest are grouped by {@link RequestParams.BatchKey}: a group
 * leases its model and adapters (LoRAs and embedding files, every key under the owner's prefix) once and packs its
 * images into pipeline calls of at most {@code booth.sampler.max-batch} images, uploading each call's PNGs before the
 * next, so memory stays bounded for any count. Within a call the engine renders image after image, each exactly as
 * alone (bit for bit on CPU; a true UNet batch would change oneDNN's blocking and so the low bits). A request ends
 * with its result.json, then GenerationCompleted; a group that fails ends its unfinished requests with
 * GenerationFailed.
 *
 * <p>S3 being unavailable (a lookup, a model or adapter download, an upload) says nothing about a request: its group
 * waits ({@link Backoff#OUTAGE}) and renders its unfinished requests again, up to {@code booth.sampler.outage-wait}
 * of waiting per poll, after which they fail with {@value S3Wait#CODE}. A rerun stores each image again under the same
 * key with the same pixels (rendering is deterministic), and result.json is written only after the last image, so
 * a request ends with exactly its images, each stored once.
 */
@Startup // the model cache checks the engine's device now: a node without it fails at start
@ApplicationScoped
public class Generations {

    private static final Logger LOG = Logger.getLogger(Generations.class);
    /** {@link ProcessTemp} names: a group's control images, and each PNG on its way to S3. */
    private static final String CONTROLS = "sampler-controls";
    private static final String IMAGES = "sampler";

    private final ModelCache cache;
    private final ObjectStore store;
    private final Emitter<Event<?>> completed;
    private final Emitter<Event<?>> failed;
    private final int maxBatch;
    private final int gpuStack;
    private final Backoff s3Pauses;

    public Generations(ModelCache cache, ObjectStore store,
                       @Channel(Topics.GENERATION_COMPLETED) Emitter<Event<?>> completed,
                       @Channel(Topics.GENERATION_FAILED) Emitter<Event<?>> failed,
                       SamplerConfig config) {
        int maxBatch = config.maxBatch();
        if (maxBatch < 1) {
            throw new IllegalArgumentException("booth.sampler.max-batch must be >= 1, got " + maxBatch);
        }
        if (config.gpuStack() < 1) {
            throw new IllegalArgumentException("booth.sampler.gpu-stack must be >= 1, got " + config.gpuStack());
        }
        this.gpuStack = config.gpuStack();
        this.cache = cache;
        this.store = store;
        this.completed = completed;
        this.failed = failed;
        this.maxBatch = maxBatch;
        this.s3Pauses = Backoff.OUTAGE.within(config.outageWait());
        ProcessTemp.sweep(CONTROLS); // what a killed sampler left; this one starts with nothing of its own
        ProcessTemp.sweep(IMAGES);
    }

    /** One request being rendered: where its images stand. */
    private static final class Job {
        final Event<GenerationRequested> event;
        final long start = System.nanoTime();
        final List<GeneratedImage> images = new ArrayList<>();
        RequestControls controls = RequestControls.NONE;
        long sampleNanos;
        long uploadNanos;
        boolean done;

        Job(Event<GenerationRequested> event) {
            this.event = event;
        }

        GenerationRequested request() {
            return event.payload();
        }

        String key(int index) {
            return Buckets.generationImageKey(event.ownerId(), request().generationId(), index);
        }

        /** Forgets what an attempt that met an S3 outage rendered: the next attempt renders it all again. */
        void restart() {
            images.clear();
            controls = RequestControls.NONE;
            sampleNanos = 0;
            uploadNanos = 0;
        }
    }

    /** Renders the requests (admitted: fields checked); every one ends with a completed or failed event. */
    public void process(List<Event<GenerationRequested>> requests) {
        process(requests, new S3Wait(s3Pauses));
    }

    private void process(List<Event<GenerationRequested>> requests, S3Wait s3) {
        Map<String, Event<GenerationRequested>> unique = new LinkedHashMap<>();
        List<Event<GenerationRequested>> repeats = new ArrayList<>();
        for (Event<GenerationRequested> event : requests) {
            if (unique.putIfAbsent(event.payload().generationId(), event) != null) {
                repeats.add(event);  // answered after the first, from its result
            }
        }
        Map<RequestParams.BatchKey, List<Job>> groups = new LinkedHashMap<>();
        for (Event<GenerationRequested> event : unique.values()) {
            GenerationRequested r = event.payload();
            try {
                var stored = s3.run("generation " + r.generationId() + " of " + event.ownerId(),
                        () -> GenerationResults.read(store, event.ownerId(), r.generationId()));
                if (stored.isPresent()) {
                    LOG.infof("generation %s of %s is done already: answering from its result", r.generationId(),
                            event.ownerId());
                    send(completed, event, stored.get());
                    continue;
                }
                Optional<String> foreign = Stream.concat(r.loras().stream().map(LoraRef::adapterKey),
                                r.embeddings().stream())
                        .filter(key -> !Buckets.ownedBy(key, event.ownerId())).findFirst();
                if (foreign.isPresent()) { // the gateway checks this too; a worker never trusts an event's keys
                    fail(new Job(event), "ADAPTER_NOT_FOUND", "no adapter '" + foreign.get() + "' of owner "
                            + event.ownerId());
                    continue;
                }
                RequestParams.of(r, Path::of, List.of());
                if (r.grid() != null) {
                    RequestParams.sweep(r.grid());
                }
                groups.computeIfAbsent(RequestParams.BatchKey.of(r), k -> new ArrayList<>()).add(new Job(event));
            } catch (IllegalArgumentException e) {
                fail(new Job(event), "INVALID_REQUEST", e.getMessage());
            } catch (S3Wait.GaveUp e) {
                fail(new Job(event), S3Wait.CODE, e.getMessage());
            } catch (InterruptedException e) {
                throw stopping(e);
            } catch (RuntimeException e) {  // S3 or Kafka trouble: answered, never a nacked (dead-lettered) poll
                LOG.errorf(e, "generation %s: cannot look up its result", r.generationId());
                fail(new Job(event), "INTERNAL", e.toString());
            }
        }
        groups.values().forEach(group -> render(group, s3));
        if (!repeats.isEmpty()) {
            process(repeats, s3);
        }
    }

    /** Renders a group, again while S3 is unavailable; past the wait its unfinished requests fail naming S3. */
    private void render(List<Job> group, S3Wait s3) {
        try {
            s3.run("generation group of " + group.get(0).request().generationId(), () -> {
                List<Job> unfinished = group.stream().filter(job -> !job.done).toList();
                unfinished.forEach(Job::restart);
                attempt(unfinished);
            });
        } catch (S3Wait.GaveUp e) {
            failUnfinished(group, S3Wait.CODE, e.getMessage());
        } catch (InterruptedException e) {
            throw stopping(e);
        }
    }

    /** The worker is stopping: its poll stays unanswered and uncommitted, so it is delivered again. */
    private static IllegalStateException stopping(InterruptedException e) {
        Thread.currentThread().interrupt();
        return new IllegalStateException("interrupted while waiting for S3", e);
    }

    /**
     * Renders a group once; a failure ends its unfinished requests with a code, except S3 being unavailable, which
     * is thrown for {@link #render} to run the attempt again.
     */
    private void attempt(List<Job> group) {
        if (group.isEmpty()) {
            return;
        }
        GenerationRequested first = group.get(0).request();
        long start = System.nanoTime();
        Map<String, ModelCache.FileLease> adapters = new HashMap<>();
        Map<String, ModelCache.FileLease> controlNets = new HashMap<>();
        Path work = null;
        try (ModelCache.ModelLease model = cache.model(first.baseModel())) {
            for (LoraRef lora : first.loras()) {
                adapters.computeIfAbsent(lora.adapterKey(), cache::adapter);
            }
            for (String embedding : first.embeddings()) { // the batch key holds them: shared by the group
                adapters.computeIfAbsent(embedding, cache::adapter);
            }
            for (ControlRef control : first.controls()) { // the batch key holds them: shared by the group
                controlNets.computeIfAbsent(control.model(), cache::controlNet);
            }
            long loadNanos = System.nanoTime() - start;
            work = ProcessTemp.directory(CONTROLS);
            for (Job job : group) {
                job.controls = RequestControls.prepare(store, job.event.ownerId(), job.request().generationId(),
                        job.request().controls(), job.request().width(), job.request().height(),
                        id -> controlNets.get(id).path(), work);
            }
            PipelineAssets assets = model.assets();
            try (TextToImagePipeline pipeline = new TextToImagePipeline(model.model(), assets)) {
                if (model.model().options().device().isGpu()) {
                    pipeline.stackImages(gpuStack);
                }
                if (first.grid() != null) {
                    renderGrid(group.get(0), pipeline, adapters, loadNanos);
                } else {
                    renderImages(group, pipeline, adapters, loadNanos);
                }
            }
        } catch (IOException e) {
            failUnfinished(group, "INTERNAL", "cannot create a folder for control images: " + e);
        } catch (ModelCacheException e) {
            failUnfinished(group, e.code(), e.getMessage());
        } catch (IllegalArgumentException e) {
            failUnfinished(group, "INVALID_REQUEST", e.getMessage());
        } catch (RuntimeException e) {
            if (ObjectStoreException.unavailable(e)) {
                throw e;
            }
            LOG.errorf(e, "generation group of %s failed", first.generationId());
            failUnfinished(group, "INTERNAL", e.toString());
        } finally {
            adapters.values().forEach(ModelCache.FileLease::close);
            controlNets.values().forEach(ModelCache.FileLease::close);
            deleteTree(work);
        }
    }

    private static void deleteTree(Path dir) {
        try {
            if (dir != null) {
                FileTrees.delete(dir);
            }
        } catch (UncheckedIOException e) { // a leftover temp folder must not turn a finished job into a failure
            LOG.warnf("cannot delete %s: %s", dir, e.getCause());
        }
    }

    /** A slice of a request's images: {@code count} images from image {@code offset}. */
    private record Slice(Job job, GenerationParams params, int offset) {
    }

    private void renderImages(List<Job> group, TextToImagePipeline pipeline,
                              Map<String, ModelCache.FileLease> adapters, long loadNanos) {
        List<Slice> slices = new ArrayList<>();
        for (Job job : group) {
            GenerationParams all = RequestParams.of(job.request(), key -> adapters.get(key).path(),
                    job.controls.units());
            for (int offset = 0; offset < all.imagesPerPrompt(); offset += maxBatch) {
                int n = Math.min(maxBatch, all.imagesPerPrompt() - offset);
                slices.add(new Slice(job, all.toBuilder().seed(all.seed() + offset).imagesPerPrompt(n).build(),
                        offset));
            }
        }
        int next = 0;
        while (next < slices.size()) {
            List<Slice> call = new ArrayList<>();
            int images = 0;
            while (next < slices.size() && images + slices.get(next).params().imagesPerPrompt() <= maxBatch) {
                images += slices.get(next).params().imagesPerPrompt();
                call.add(slices.get(next++));
            }
            List<GenerationResult> results = pipeline.generateAll(call.stream().map(Slice::params).toList(),
                    StepListener.NONE, () -> false);
            for (int i = 0; i < call.size(); i++) {
                store(call.get(i), results.get(i));
            }
            for (Slice slice : call) {
                Job job = slice.job();
                if (!job.done && job.images.size() == job.request().count()) {
                    finish(job, null, loadNanos, group.size());
                }
            }
        }
    }

    private void store(Slice slice, GenerationResult result) {
        Job job = slice.job();
        job.sampleNanos += result.elapsed().toNanos();
        long millisPerImage = result.elapsed().toMillis() / result.images().size();
        long start = System.nanoTime();
        for (int i = 0; i < result.images().size(); i++) {
            var image = result.images().get(i);
            String key = job.key(slice.offset() + i);
            upload(key, image::writePng);
            job.images.add(new GeneratedImage(key, image.params().seed(), millisPerImage));
        }
        job.uploadNanos += System.nanoTime() - start;
    }

    private void renderGrid(Job job, TextToImagePipeline pipeline, Map<String, ModelCache.FileLease> adapters,
                            long loadNanos) {
        GenerationParams base = RequestParams.of(job.request(), key -> adapters.get(key).path(),
                job.controls.units());
        long start = System.nanoTime();
        SweepRenderer.Result grid = new SweepRenderer(pipeline).render(base, RequestParams.sweep(job.request().grid()),
                StepListener.NONE, () -> false);
        job.sampleNanos = System.nanoTime() - start;
        long millisPerCell = job.sampleNanos / 1_000_000 / grid.cells().size();
        start = System.nanoTime();
        for (int i = 0; i < grid.cells().size(); i++) {
            var cell = grid.cells().get(i);
            upload(job.key(i), cell::writePng);
            job.images.add(new GeneratedImage(job.key(i), cell.params().seed(), millisPerCell));
        }
        String gridKey = Buckets.generationGridKey(job.event.ownerId(), job.request().generationId());
        upload(gridKey, grid::writePng);
        job.uploadNanos = System.nanoTime() - start;
        finish(job, gridKey, loadNanos, 1);
    }

    private void finish(Job job, String gridKey, long loadNanos, int batchSize) {
        GenerationCompleted result = new GenerationCompleted(job.request().generationId(), List.copyOf(job.images),
                gridKey, (System.nanoTime() - job.start) / 1_000_000, new GenerationTimings(loadNanos / 1_000_000,
                job.sampleNanos / 1_000_000, job.uploadNanos / 1_000_000, batchSize), job.controls.mapKeys());
        GenerationResults.write(store, job.event.ownerId(), result);
        job.done = true;
        LOG.infof("generation %s of %s: %d image(s) in %d ms", result.generationId(), job.event.ownerId(),
                result.images().size(), result.totalMillis());
        send(completed, job.event, result);
    }

    private void failUnfinished(List<Job> group, String code, String message) {
        group.stream().filter(job -> !job.done).forEach(job -> fail(job, code, message));
    }

    private void fail(Job job, String code, String message) {
        LOG.infof("generation %s of %s failed: %s %s", job.request().generationId(), job.event.ownerId(), code,
                message);
        job.done = true;
        send(failed, job.event, new GenerationFailed(job.request().generationId(), code, message));
    }

    private static void send(Emitter<Event<?>> emitter, Event<GenerationRequested> cause,
                             Payload payload) {
        EventMessages.deliver(emitter, cause.next(payload)); // images are stored: the answer must not be lost
    }

    /** Writes a PNG to a temporary file and uploads it. */
    private void upload(String key, Consumer<Path> writer) {
        Path file = null;
        try {
            file = ProcessTemp.file(IMAGES, ".png");
            writer.accept(file);
            store.put(Buckets.GENERATIONS, key, file, "image/png");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + key, e);
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    LOG.warnf("cannot delete %s: %s", file, e);
                }
            }
        }
    }
}
