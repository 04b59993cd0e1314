package ai.booth.gateway.training;

import ai.booth.gateway.job.Links;
import ai.booth.gateway.job.ImageLink;
import ai.booth.gateway.job.JobMeta;
import ai.booth.gateway.job.JobStatus;
import ai.booth.gateway.job.Views;
import ai.booth.contracts.Buckets;
import ai.booth.contracts.EvalScores;
import ai.booth.contracts.TrainingCompleted;
import ai.booth.contracts.TrainingFailed;
import ai.booth.contracts.TrainingProgress;
import ai.booth.contracts.TrainingRequested;
import com.fasterxml.jackson.annotation.JsonIgnore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A training as the API shows it.
 *
 * @param trainingId        id of the job
 * @param ownerId           the owner it belongs to
 * @param status            where it is
 * @param createdAt         when it was requested
 * @param request           what was asked, defaults applied
 * @param progress          the latest progress report, if any
 * @param percent           steps done of the steps planned, 0-100 (100 once COMPLETED)
 * @param losses            (step, loss) of every progress report so far, thinned to at most 512 points
 * @param validationImages  images rendered from the validation prompts, with their step, oldest first
 * @param scores            the scorecard of a training that evaluates: each scored validation step, oldest first (the
 *                          last step's are the final adapter's)
 * @param result            the adapter and its facts, once COMPLETED
 * @param failure           the reason, once FAILED (code CANCELLED after a cancel)
 * @param cancelRequested   whether a cancel was asked for
 * @param callbackUrl       where its result is POSTed, if given
 * @param meta              creating key and request hash (not shown)
 */
public record TrainingView(String trainingId, String ownerId, JobStatus status, Instant createdAt,
                           TrainingRequested request, TrainingProgress progress, double percent,
                           List<LossPoint> losses, List<ImageLink> validationImages, List<EvalScores> scores,
                           TrainingCompleted result,
                           TrainingFailed failure, boolean cancelRequested, String callbackUrl,
                           @JsonIgnore JobMeta meta) implements Views.Job {

    static final int MAX_LOSS_POINTS = 512;

    /** One point of the loss curve. */
    public record LossPoint(int step, double loss) {
    }

    static TrainingView unknown(String trainingId, String ownerId, Instant createdAt) {
        return new TrainingView(trainingId, ownerId, JobStatus.REQUESTED, createdAt, null, null, 0, List.of(),
                List.of(), List.of(), null, null, false, null, JobMeta.NONE);
    }

    @Override
    public String id() {
        return trainingId;
    }

    TrainingView requested(Instant at, TrainingRequested asked, JobMeta given) {
        return new TrainingView(trainingId, ownerId, status, at, asked, progress, percent, losses, validationImages,
                scores, result, failure, cancelRequested, given.callbackUrl(), given);
    }

    TrainingView reported(TrainingProgress report) {
        if (status.finished()) {
            return this; // late progress after the end
        }
        // a worker that resumes from a checkpoint reports steps again from there: what came later is gone
        List<LossPoint> curve = new ArrayList<>(losses);
        curve.removeIf(point -> point.step() >= report.step());
        curve.add(new LossPoint(report.step(), report.loss()));
        if (curve.size() > MAX_LOSS_POINTS) { // keep the shape: every other point, the newest always
            List<LossPoint> thinned = new ArrayList<>();
            for (int i = curve.size() - 1; i >= 0; i -= 2) {
                thinned.add(0, curve.get(i));
            }
            curve = thinned;
        }
        List<ImageLink> images = new ArrayList<>(validationImages);
        images.removeIf(image -> image.step() != null && image.step() >= report.step());
        report.validationImageKeys().forEach(key -> images.add(new ImageLink(key, null, null, null, null, null,
                report.step(), null)));
        List<EvalScores> card = new ArrayList<>(scores);
        card.removeIf(scored -> scored.step() >= report.step());
        if (report.scores() != null) {
            card.add(report.scores());
        }
        double done = report.totalSteps() <= 0 ? 0 : Math.min(100, 100.0 * report.step() / report.totalSteps());
        return new TrainingView(trainingId, ownerId, JobStatus.RUNNING, createdAt, request, report, done,
                List.copyOf(curve), List.copyOf(images), List.copyOf(card), null, null, cancelRequested, callbackUrl,
                meta);
    }

    TrainingView completed(TrainingCompleted done) {
        List<ImageLink> images = new ArrayList<>(validationImages);
        done.validationImageKeys().stream().filter(key -> images.stream().noneMatch(i -> i.key().equals(key)))
                .forEach(key -> images.add(ImageLink.of(key)));
        List<EvalScores> card = new ArrayList<>(scores);
        if (done.scores() != null && !card.contains(done.scores())) { // its progress report was missed
            card.removeIf(scored -> scored.step() >= done.scores().step());
            card.add(done.scores());
        }
        return new TrainingView(trainingId, ownerId, JobStatus.COMPLETED, createdAt, request, progress, 100, losses,
                List.copyOf(images), List.copyOf(card), done, null, cancelRequested, callbackUrl, meta);
    }

    TrainingView failed(TrainingFailed why) {
        return new TrainingView(trainingId, ownerId, JobStatus.FAILED, createdAt, request, progress, percent, losses,
                validationImages, scores, null, why, cancelRequested, callbackUrl, meta);
    }

    TrainingView cancelling() {
        return new TrainingView(trainingId, ownerId, status, createdAt, request, progress, percent, losses,
                validationImages, scores, result, failure, true, callbackUrl, meta);
    }

    TrainingView withUrls(Links links) {
        return new TrainingView(trainingId, ownerId, status, createdAt, request, progress, percent, losses,
                links.sign(Buckets.CHECKPOINTS, ownerId, validationImages), scores, result, failure, cancelRequested,
                callbackUrl, meta);
    }

    @Override
    public boolean finished() {
        return status.finished();
    }
}
