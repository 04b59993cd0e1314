package ai.booth.trainer;

import ai.booth.contracts.EvalScores;
import ai.booth.contracts.Event;
import ai.booth.contracts.TrainingProgress;
import ai.booth.diffusion.train.ProgressListener;
import ai.booth.diffusion.train.TrainingConfig;
import ai.booth.diffusion.train.TrainingResult;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Turns the engine's step, checkpoint and validation callbacks into {@link TrainingProgress} events and S3 objects;
 * a training that evaluates scores each validation step's images ({@link Evaluation}) and reports the scores with
 * them.
 * Steps are reported at most once per interval; a step that writes a checkpoint or validation images is reported
 * after they are stored (with their keys), and the last step always — so step numbers only grow.
 */
final class ProgressReporter implements ProgressListener {

    private final Event<?> request;
    private final JobObjects objects;
    private final TrainingConfig config;
    private final boolean validates;
    private final int checkpointsToKeep;
    private final long intervalNanos;
    private final Consumer<Event<TrainingProgress>> publish;
    private final Evaluation evaluation;
    private ai.booth.diffusion.train.StepProgress pending;
    private List<String> pendingImages = List.of();
    private String pendingCheckpoint;
    private EvalScores pendingScores;
    private long lastSent = Long.MIN_VALUE / 2;
    private int lastStep;

    ProgressReporter(Event<?> request, JobObjects objects, TrainingConfig config, boolean validates,
                     int checkpointsToKeep, Duration interval, Consumer<Event<TrainingProgress>> publish,
                     Evaluation evaluation) {
        this.request = request;
        this.objects = objects;
        this.config = config;
        this.validates = validates;
        this.checkpointsToKeep = checkpointsToKeep;
        this.intervalNanos = interval.toNanos();
        this.publish = publish;
        this.evaluation = evaluation;
    }

    @Override
    public void step(ai.booth.diffusion.train.StepProgress progress) {
        pending = progress;
        lastStep = progress.step();
        boolean last = progress.step() >= progress.totalSteps();
        boolean checkpointDue = config.checkpointEvery() > 0 && progress.step() % config.checkpointEvery() == 0
                && !last;
        if (!checkpointDue && !validationDue(progress)) {
            flush(last);
        }
    }

    @Override
    public void checkpoint(int step, Path dir) {
        pendingCheckpoint = objects.uploadCheckpoint(step, dir, checkpointsToKeep);
        if (pending != null && pending.step() == step && !validationDue(pending)) {
            flush(true);
        }
    }

    @Override
    public void validation(int step, List<Path> images) {
        pendingImages = objects.uploadValidation(step, images);
        if (evaluation != null) {
            pendingScores = evaluation.score(step, images);
            objects.writeScores(pendingScores);
        }
        if (pending != null && pending.step() == step) {
            flush(true);
        }
    }

    /** A training that keeps its best-scored step snapshots what it trained at every scored step. */
    @Override
    public boolean snapshotAt(int step) {
        return evaluation != null && evaluation.selectBy() != null;
    }

    @Override
    public void snapshot(int step, TrainingResult files) {
        objects.uploadSnapshot(step, files);
    }

    private boolean validationDue(ai.booth.diffusion.train.StepProgress progress) {
        return validates && config.validatesAt(progress.step(), progress.totalSteps());
    }

    private void flush(boolean always) {
        long now = System.nanoTime();
        if (pending == null || !always && now - lastSent < intervalNanos) {
            return;
        }
        var p = pending;
        publish.accept(request.next(new TrainingProgress(request.correlationId(), p.step(), p.totalSteps(), p.loss(),
                p.lr(), p.itPerSec(), Math.round(p.etaSeconds()), pendingImages, pendingCheckpoint, pendingScores)));
        lastSent = now;
        pending = null;
        pendingImages = List.of();
        pendingCheckpoint = null;
        pendingScores = null;
    }

    /** The last step the engine finished in this run (0 before the first). */
    int lastStep() {
        return lastStep;
    }
}
