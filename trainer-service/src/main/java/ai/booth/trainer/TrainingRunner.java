package ai.booth.trainer;

import ai.booth.contracts.DatasetReport;
import ai.booth.contracts.EvalScores;
import ai.booth.contracts.Event;
import ai.booth.contracts.Payload;
import ai.booth.contracts.TrainingCompleted;
import ai.booth.contracts.TrainingFailed;
import ai.booth.contracts.TrainingRequested;
import ai.booth.diffusion.io.FileTrees;
import ai.booth.diffusion.loader.StableDiffusionModel;
import ai.booth.diffusion.pipeline.GenerationParams;
import ai.booth.diffusion.pipeline.PipelineAssets;
import ai.booth.diffusion.pipeline.PipelineImages;
import ai.booth.diffusion.pipeline.TextToImagePipeline;
import ai.booth.diffusion.train.DreamBoothJob;
import ai.booth.diffusion.train.TrainingConfig;
import ai.booth.diffusion.train.TrainingResult;
import ai.booth.service.Backoff;
import ai.booth.service.ObjectStore;
import ai.booth.service.S3Wait;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Runs one training request to its end: the terminal event ({@code TrainingCompleted}, or {@code TrainingFailed} with
 * a code) is stored as the job's outcome in S3 and published. A request whose outcome exists is not trained again:
 * its terminal event is published once more, for the client that missed it. A job with a checkpoint in S3 resumes
 * from it (it was interrupted: a worker crashed or stopped). When this worker shuts down mid-job the job stops at the
 * next step boundary with a checkpoint in S3 and no outcome, and the runner answers {@link Ending#INTERRUPTED}: the
 * request must stay uncommitted so Kafka redelivers it. The same when the request's partition is handed to another
 * worker in a rebalance (the worker itself goes on).
 *
 * <p>S3 being unavailable (a dataset or class-image read, a checkpoint or adapter write) says nothing about the
 * request: the job waits ({@link Backoff#OUTAGE}) and runs again, resuming from its newest complete checkpoint when
 * it has one, up to {@code booth.trainer.outage-wait} of waiting; past that it fails with {@value S3Wait#CODE}.
 */
@ApplicationScoped
public class TrainingRunner {

    /** How a run ended for the request's offset: commit it, or leave it for redelivery. */
    enum Ending { TERMINAL, INTERRUPTED }

    private static final Logger LOG = Logger.getLogger(TrainingRunner.class);

    private final ObjectStore store;
    private final ObjectMapper json;
    private final ModelLeases models;
    private final DatasetFiles datasets;
    private final ClassImages classImages;
    private final JobControl control;
    private final TrainingEvents events;
    private final TrainerConfig config;
    private final FineTunes fineTunes;
    private final Evaluations evaluations;
    private final Backoff s3Pauses;

    public TrainingRunner(ObjectStore store, ObjectMapper json, ModelLeases models, DatasetFiles datasets,
                          ClassImages classImages, JobControl control, TrainingEvents events, TrainerConfig config,
                          FineTunes fineTunes, Evaluations evaluations) {
        this.store = store;
        this.json = json;
        this.models = models;
        this.datasets = datasets;
        this.classImages = classImages;
        this.control = control;
        this.events = events;
        this.config = config;
        this.fineTunes = fineTunes;
        this.evaluations = evaluations;
        this.s3Pauses = Backoff.OUTAGE.within(config.outageWait());
    }

    Ending run(Event<TrainingRequested> event) {
        return run(event, () -> false);
    }

    /**
     * Runs the request; {@code handedOver} turns true when its partition moves to another worker (a rebalance): the
     * job then stops at its next step boundary like at shutdown, and the new owner resumes it.
     */
    Ending run(Event<TrainingRequested> event, BooleanSupplier handedOver) {
        TrainingRequested request = event.payload();
        String ownerId = event.ownerId();
        JobObjects objects = new JobObjects(store, json, ownerId, request.trainingId());
        S3Wait s3 = new S3Wait(s3Pauses);
        String job = "training " + request.trainingId() + " of " + ownerId;
        try {
            var done = s3.run(job, objects::outcome);
            if (done.isPresent()) {
                LOG.infof("training %s of %s already ended (%s): publishing its outcome again", request.trainingId(),
                        ownerId, done.get().payload().getClass().getSimpleName());
                events.publish(event.next(done.get().payload()));
                return Ending.TERMINAL;
            }
            return runJob(event, objects, handedOver, s3);
        } catch (S3Wait.GaveUp e) { // before the job started: nothing of it to store
            events.publish(event.next(failed(request, S3Wait.CODE, e.getMessage(), 0)));
            LOG.infof("%s: TrainingFailed %s", job, e.getMessage());
            return Ending.TERMINAL;
        } catch (InterruptedException e) { // stopping while waiting for S3: its checkpoint, if any, stays
            Thread.currentThread().interrupt();
            LOG.infof("%s interrupted while waiting for S3: left for redelivery", job);
            return Ending.INTERRUPTED;
        }
    }

    private Ending runJob(Event<TrainingRequested> event, JobObjects objects, BooleanSupplier handedOver, S3Wait s3)
            throws InterruptedException {
        TrainingRequested request = event.payload();
        String ownerId = event.ownerId();
        BooleanSupplier stop = () -> control.stopping() || handedOver.getAsBoolean()
                || control.cancelled(ownerId, request.trainingId());
        Path work = config.workDir().resolve("jobs").resolve(request.trainingId());
        int[] step = {0};
        Payload outcome;
        try (JobControl.Running running = control.running()) {
            try {
                // a run that met an S3 outage runs again: from its newest complete checkpoint, else from the start
                outcome = s3.run("training " + request.trainingId() + " of " + ownerId,
                        () -> train(event, objects, work, stop, step));
            } catch (JobStopped e) {
                if (!control.cancelled(ownerId, request.trainingId())) {
                    LOG.infof("training %s interrupted at step %d: left for redelivery", request.trainingId(), step[0]);
                    return Ending.INTERRUPTED;
                }
                outcome = failed(request, "CANCELLED", "cancelled on request", step[0]);
            } catch (JobFailure e) {
                outcome = failed(request, e.code(), e.getMessage(), step[0]);
            } catch (S3Wait.GaveUp e) {
                outcome = failed(request, S3Wait.CODE, e.getMessage(), step[0]);
            } catch (RuntimeException | LinkageError e) {
                LOG.errorf(e, "training %s failed", request.trainingId());
                outcome = failed(request, "INTERNAL", e.toString(), step[0]);
            } finally {
                FileTrees.delete(work);
            }
        }
        storeOutcome(objects, outcome, s3);
        events.publish(event.next(outcome));
        LOG.infof("training %s of %s: %s", request.trainingId(), ownerId, outcome.getClass().getSimpleName());
        return Ending.TERMINAL;
    }

    /** Stores the outcome, waiting for S3; if it stays away the outcome is still published (a redelivery reruns it). */
    private static void storeOutcome(JobObjects objects, Payload outcome, S3Wait s3) throws InterruptedException {
        try {
            s3.run("outcome of a training of " + objects.ownerId(), () -> objects.writeOutcome(outcome));
        } catch (S3Wait.GaveUp e) {
            LOG.warnf("%s; publishing the outcome unstored", e.getMessage());
        }
    }

    private TrainingCompleted train(Event<TrainingRequested> event, JobObjects objects, Path work,
                                    BooleanSupplier stop, int[] step) {
        TrainingRequested request = event.payload();
        List<String> problems = TrainingRequestCheck.problems(request);
        if (!problems.isEmpty()) {
            throw new JobFailure("INVALID_REQUEST", String.join("; ", problems));
        }
        if (stop.getAsBoolean()) {
            throw new JobStopped(); // cancelled before it started
        }
        long started = System.nanoTime();
        FileTrees.delete(work);
        boolean resuming = objects.hasCheckpoint();
        DatasetReport dataset = resuming ? null : datasets.report(event.ownerId(), request.datasetId());
        try (ModelLeases.Lease lease = models.open(request.baseModel())) {
            StableDiffusionModel model = lease.model();
            JniUtils.setGradMode(false); // per thread in PyTorch, on in a fresh worker thread: inference in place
            TrainingConfig training = trainingConfig(request, model);
            Path resume = work.resolve("resume");
            Optional<JobObjects.CheckpointPointer> checkpoint = resuming ? objects.downloadLatestCheckpoint(resume)
                    : Optional.empty();
            Path instances = work.resolve("instance");
            Path classes = request.priorPreservation() ? work.resolve("class") : null;
            if (checkpoint.isPresent()) {
                step[0] = checkpoint.get().step();
                LOG.infof("training %s resumes from its checkpoint at step %d", request.trainingId(), step[0]);
            } else {
                // a pointer with no complete checkpoint behind it (see JobObjects) trains from the start
                datasets.download(dataset != null ? dataset : datasets.report(event.ownerId(), request.datasetId()),
                        instances);
                if (classes != null) {
                    classImages.fetch(request, model.contentHash(), classes, stop);
                }
            }
            // a new run encodes its images unless an earlier training of the owner on the same images did
            Path latentCaches = checkpoint.isPresent() ? null : work.resolve("latent-caches");
            DreamBoothJob job = new DreamBoothJob(instances, classes, request.classImageCount(), training,
                    work.resolve(outputName(request)), checkpoint.isPresent() ? resume : null, latentCaches);
            SharedLatents shared = latentCaches == null ? null
                    : new SharedLatents(store, event.ownerId(), job.latentsFile(model.contentHash()));
            boolean fetched = shared != null && shared.fetch();
            PipelineAssets assets = lease.assets();
            // scored against the subject's images: a resumed run (which trains from its checkpoint's latents) fetches
            // them only for this
            Path real = checkpoint.isEmpty() ? instances : work.resolve("real");
            try (Evaluation evaluation = evaluations.open(request, () -> {
                        if (checkpoint.isPresent()) {
                            datasets.download(datasets.report(event.ownerId(), request.datasetId()), real);
                        }
                        return real;
                    }).orElse(null);
                 TextToImagePipeline pipeline = new TextToImagePipeline(model, assets)) {
                PipelineImages validation = new PipelineImages(pipeline, GenerationParams.builder("")
                        .steps(config.sampling().steps()).guidanceScale(config.sampling().guidanceScale())
                        .scheduler(config.sampling().scheduler()).seed(request.seed())
                        .size(request.resolution(), request.resolution()).build());
                boolean validates = training.validationEvery() > 0;
                ProgressReporter reporter = new ProgressReporter(event, objects, training, validates,
                        config.checkpointsToKeep(), config.progressInterval(), this::publishProgress, evaluation);
                TrainingResult result = job.run(new DreamBoothJob.Engine(model, assets.tokenizer(),
                        assets.schedulerConfig(), null, validates ? validation : null,
                        training.fullFineTune() && lease.takeOver()), reporter, () -> {
                            step[0] = Math.max(step[0], reporter.lastStep());
                            return stop.getAsBoolean();
                        });
                step[0] = result.steps();
                if (shared != null && !fetched) {
                    shared.share();
                }
                if (result.cancelled()) {
                    throw new JobStopped();
                }
                long millis = (System.nanoTime() - started) / 1_000_000;
                List<EvalScores> card = evaluation == null ? List.of() : objects.scores();
                EvalScores scores = null;
                if (!card.isEmpty()) {
                    objects.uploadScorecard(card);
                    EvalScores last = card.get(card.size() - 1);
                    scores = last.step() == result.steps() ? last : null; // validation renders the last step too
                    if (evaluation.selectBy() != null) { // the best step's snapshot, also when it is the last
                        EvalScores best = best(card, evaluation.selectBy()).orElseThrow();
                        LOG.infof("training %s keeps step %d, best by %s", request.trainingId(), best.step(),
                                evaluation.selectBy());
                        result = keep(objects.downloadSnapshot(best.step(), work.resolve("selected")), result);
                        scores = best;
                    }
                }
                if (training.fullFineTune()) {
                    String modelId = fineTunes.install(request, result, model.contentHash()).id();
                    List<String> keys = objects.uploadResult(result.modelFile(), result.metadataFile());
                    return new TrainingCompleted(request.trainingId(), keys.get(0), result.steps(),
                            result.finalLoss(), millis, objects.checkpointKeys(), objects.validationKeys(), modelId,
                            null, scores);
                }
                // embeddings first: a pivotal LoRA names its embedding file, which must be there when the LoRA is
                List<Path> files = new ArrayList<>(result.embeddingFiles());
                if (result.peftFile() != null) {
                    files.addAll(List.of(result.peftFile(), result.kohyaFile()));
                }
                files.add(result.metadataFile());
                List<String> keys = objects.uploadResult(files.toArray(Path[]::new));
                String embeddingKey = result.embeddingFiles().isEmpty() ? null : keys.get(0);
                String adapterKey = result.peftFile() != null ? keys.get(result.embeddingFiles().size()) : embeddingKey;
                return new TrainingCompleted(request.trainingId(), adapterKey, result.steps(), result.finalLoss(),
                        millis, objects.checkpointKeys(), objects.validationKeys(), null, embeddingKey, scores);
            }
        }
    }

    /** The step scoring highest on {@code metric}, the earliest of equals. */
    static Optional<EvalScores> best(List<EvalScores> scores, String metric) {
        return scores.stream().reduce((a, b) -> b.metric(metric) > a.metric(metric) ? b : a);
    }

    /** A snapshot's files as the run's result: its steps and loss stay the run's. */
    private static TrainingResult keep(TrainingResult snapshot, TrainingResult run) {
        return new TrainingResult(snapshot.peftFile(), snapshot.kohyaFile(), snapshot.metadataFile(),
                run.lastCheckpoint(), run.steps(), run.finalLoss(), false, snapshot.embeddingFiles());
    }

    /** The engine's config for a request; settings the contract does not carry keep the engine's defaults. */
    static TrainingConfig trainingConfig(TrainingRequested r, StableDiffusionModel model) {
        if (r.fullFineTune()) {
            fullFineTunable(r, model);
        }
        try {
            TrainingConfig.Builder b = TrainingConfig.builder().mode(r.effectiveMode()).newTokens(r.newTokens())
                    .initializerToken(r.initializerToken());
            if (r.lrEmbeddings() != null) {
                b.lrEmbeddings(r.lrEmbeddings());
            }
            return b
                    .instancePrompt(r.instancePrompt()).classPrompt(r.classPrompt())
                    .priorPreservation(r.priorPreservation()).priorLossWeight(r.priorLossWeight()).rank(r.rank())
                    .alpha((float) r.alpha()).trainTextEncoder(r.textEncoderLearningRate() > 0)
                    .lrUnet(r.unetLearningRate()).lrTextEncoder(r.textEncoderLearningRate())
                    .lrSchedule(r.lrScheduler()).warmupSteps(r.lrWarmupSteps()).maxSteps(r.maxTrainSteps())
                    .batchSize(r.batchSize()).seed(r.seed()).resolution(r.resolution())
                    .mixedPrecision(model.options().dtype() == DataType.FLOAT16 ? "fp16" : "no")
                    .checkpointEvery(r.checkpointInterval()).checkpointsToKeep(1)
                    .validationEvery(r.validationPrompts().isEmpty() ? 0 : r.validationInterval())
                    .validationPrompts(r.validationPrompts()).validationSeed(r.seed()).datasetId(r.datasetId())
                    .gradientCheckpointing(r.checkpointsGradients())
                    .noiseOffset(r.noiseOffset() == null ? 0 : r.noiseOffset())
                    .snrGamma(r.snrGamma() == null ? 0 : r.snrGamma())
                    .build();
        } catch (IllegalArgumentException e) {
            throw new JobFailure("INVALID_REQUEST", e.getMessage(), e);
        }
    }

    /**
     * The job's output folder, whose name is also the A1111 trigger of its embedding file: "booth-" and the start of
     * the training id, so downloads of different trainings do not share a trigger.
     */
    static String outputName(TrainingRequested r) {
        String id = r.trainingId().replaceAll("[^A-Za-z0-9]", "");
        return "booth-" + id.substring(0, Math.min(8, id.length()));
    }

    /** A full fine-tune trains float32 weights and is written as a diffusers folder, with the base's configs. */
    private static void fullFineTunable(TrainingRequested r, StableDiffusionModel model) {
        if (model.options().dtype() != DataType.FLOAT32) {
            throw new JobFailure("MODEL_NOT_TRAINABLE", "a full fine-tune trains float32 weights; this trainer loads"
                    + " base model '" + r.baseModel() + "' as " + model.options().dtype() + " (booth.engine.dtype)");
        }
        if (model.configDir() == null) {
            throw new JobFailure("MODEL_NOT_TRAINABLE", "base model '" + r.baseModel() + "' has no diffusers configs"
                    + " to describe its fine-tune with; install it as a folder or with a companion config");
        }
    }

    private void publishProgress(Event<?> progress) {
        try {
            events.publish(progress);
        } catch (RuntimeException e) {
            if (!control.stopping()) { // while shutting down Kafka may already be gone; the checkpoint matters
                throw e;
            }
            LOG.warnf("progress of %s not published while stopping: %s", progress.correlationId(), e);
        }
    }

    private static TrainingFailed failed(TrainingRequested request, String code, String message, int step) {
        return new TrainingFailed(request.trainingId(), code, message, step > 0 ? step : null);
    }
}
