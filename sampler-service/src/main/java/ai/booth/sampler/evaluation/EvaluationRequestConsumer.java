package ai.booth.sampler.evaluation;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.EvalScores;
import ai.booth.contracts.EvaluationCompleted;
import ai.booth.contracts.EvaluationFailed;
import ai.booth.contracts.EvaluationRequested;
import ai.booth.contracts.Event;
import ai.booth.contracts.Payload;
import ai.booth.contracts.Topics;
import ai.booth.diffusion.eval.EvalEncoders;
import ai.booth.diffusion.eval.RgbImage;
import ai.booth.diffusion.eval.SubjectFidelity;
import ai.booth.sampler.SamplerConfig;
import ai.booth.service.Backoff;
import ai.booth.service.EventMessages;
import ai.booth.service.ObjectStore;
import ai.booth.service.S3Wait;
import ai.booth.service.SeenEvents;
import ai.booth.service.models.ModelCacheException;
import ai.booth.service.models.ScoringEncoders;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import javax.imageio.ImageIO;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores generated images against a subject's photos (channel {@value #CHANNEL}): the DreamBooth paper's DINO, CLIP-I
 * and CLIP-T ({@link SubjectFidelity}) and DIV among images of one prompt, with the installed encoders
 * ({@link ScoringEncoders}). Every key must lie under the event owner's prefix; a request with bad fields, foreign or
 * missing images, or no encoders installed is answered with EvaluationFailed naming why; S3 outages are waited out
 * as a generation waits them ({@code booth.sampler.outage-wait}). A record that is not a readable
 * EvaluationRequested is dead-lettered by the channel's failure strategy; a re-delivered event is dropped, and one
 * re-delivered after a crash is scored again (scores are deterministic, so the answer is the same).
 */
@ApplicationScoped
public class EvaluationRequestConsumer {

    static final String CHANNEL = "evaluation-requests";

    private static final Logger LOG = Logger.getLogger(EvaluationRequestConsumer.class);

    private final ScoringEncoders encoders;
    private final ObjectStore store;
    private final SeenEvents seen;
    private final Backoff s3Pauses;
    private final Emitter<Event<?>> completed;
    private final Emitter<Event<?>> failed;

    public EvaluationRequestConsumer(ScoringEncoders encoders, ObjectStore store, SeenEvents seen,
                                     SamplerConfig config,
                                     @Channel(Topics.EVALUATION_COMPLETED) Emitter<Event<?>> completed,
                                     @Channel(Topics.EVALUATION_FAILED) Emitter<Event<?>> failed) {
        this.encoders = encoders;
        this.store = store;
        this.seen = seen;
        this.s3Pauses = Backoff.OUTAGE.within(config.outageWait());
        this.completed = completed;
        this.failed = failed;
    }

    @Incoming(CHANNEL)
    @Blocking
    void onRequested(Event<EvaluationRequested> event) throws InterruptedException {
        EvaluationRequested request = event.payload(); // another payload type fails here: dead-lettered
        if (!seen.firstTime(event)) {
            LOG.infof("event %s re-delivered: dropped", event.eventId());
            return;
        }
        List<String> problems = problems(request, event.ownerId());
        if (!problems.isEmpty()) {
            answer(failed, event, new EvaluationFailed(request.evaluationId(), "INVALID_REQUEST",
                    String.join("; ", problems)));
            return;
        }
        try (ScoringEncoders.Loaded loaded = encoders.load()) {
            S3Wait s3 = new S3Wait(s3Pauses);
            String job = "evaluation " + request.evaluationId() + " of " + event.ownerId();
            List<RgbImage> generated = new ArrayList<>();
            for (EvaluationRequested.ScoredImage image : request.images()) {
                generated.add(read(s3, job, Buckets.GENERATIONS, image.key()));
            }
            List<RgbImage> real = new ArrayList<>();
            for (String key : request.realImageKeys()) {
                real.add(read(s3, job, Buckets.DATASETS, key));
            }
            List<String> prompts = request.images().stream().map(EvaluationRequested.ScoredImage::prompt).toList();
            SubjectFidelity s = SubjectFidelity.score(loaded.encoders(), real, generated, prompts, request.tokens());
            EvaluationCompleted result = new EvaluationCompleted(request.evaluationId(),
                    new EvalScores(0, s.dino(), s.clipI(), s.clipT(), generated.size(), real.size()),
                    diversity(loaded.encoders(), generated, prompts));
            LOG.infof("%s: dino %.4f, clip_i %.4f, clip_t %.4f over %d x %d images", job, s.dino(), s.clipI(),
                    s.clipT(), generated.size(), real.size());
            answer(completed, event, result);
        } catch (ModelCacheException e) {
            answer(failed, event, new EvaluationFailed(request.evaluationId(), e.code(), e.getMessage()));
        } catch (ImageMissing e) {
            answer(failed, event, new EvaluationFailed(request.evaluationId(), "IMAGE_NOT_FOUND", e.getMessage()));
        } catch (S3Wait.GaveUp e) {
            answer(failed, event, new EvaluationFailed(request.evaluationId(), S3Wait.CODE, e.getMessage()));
        }
    }

    /** Field rules: counts within {@link EvaluationRequested#MAX_IMAGES}, every key the owner's, prompts given. */
    static List<String> problems(EvaluationRequested r, String ownerId) {
        List<String> problems = new ArrayList<>();
        if (r.evaluationId().isBlank()) {
            problems.add("evaluationId must not be blank");
        }
        count(problems, "images", r.images().size());
        count(problems, "realImageKeys", r.realImageKeys().size());
        for (int i = 0; i < r.images().size(); i++) {
            EvaluationRequested.ScoredImage image = r.images().get(i);
            owned(problems, "images[" + i + "].key", image.key(), ownerId);
            if (image.prompt().isBlank()) {
                problems.add("images[" + i + "].prompt must not be blank");
            }
        }
        for (int i = 0; i < r.realImageKeys().size(); i++) {
            owned(problems, "realImageKeys[" + i + "]", r.realImageKeys().get(i), ownerId);
        }
        return problems;
    }

    private static void count(List<String> problems, String field, int size) {
        if (size < 1 || size > EvaluationRequested.MAX_IMAGES) {
            problems.add(field + " must hold 1 to " + EvaluationRequested.MAX_IMAGES + " images, got " + size);
        }
    }

    private static void owned(List<String> problems, String field, String key, String ownerId) {
        if (!Buckets.ownedBy(key, ownerId)) {
            problems.add(field + " must be a key under the owner's prefix '" + ownerId + "/', got '" + key + "'");
        }
    }

    /** DIV averaged over the prompts with at least two images; null when none has two. */
    private static Double diversity(EvalEncoders encoders, List<RgbImage> generated, List<String> prompts) {
        Map<String, List<RgbImage>> byPrompt = new LinkedHashMap<>();
        for (int i = 0; i < generated.size(); i++) {
            byPrompt.computeIfAbsent(prompts.get(i), p -> new ArrayList<>()).add(generated.get(i));
        }
        double sum = 0;
        int groups = 0;
        for (List<RgbImage> group : byPrompt.values()) {
            if (group.size() >= 2) {
                sum += SubjectFidelity.div(encoders, group);
                groups++;
            }
        }
        return groups == 0 ? null : sum / groups;
    }

    private RgbImage read(S3Wait s3, String job, String bucket, String key) throws InterruptedException {
        byte[] bytes = s3.run(job, () -> {
            if (store.stat(bucket, key).isEmpty()) {
                throw new ImageMissing(bucket + "/" + key + " is not stored");
            }
            return store.get(bucket, key);
        });
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
            if (image == null) {
                throw new ImageMissing(bucket + "/" + key + " is not an image ImageIO can read");
            }
            return RgbImage.of(image);
        } catch (IOException e) {
            throw new ImageMissing(bucket + "/" + key + " cannot be read: " + e.getMessage());
        }
    }

    private static void answer(Emitter<Event<?>> emitter, Event<EvaluationRequested> event, Payload answer) {
        if (answer instanceof EvaluationFailed f) {
            LOG.infof("evaluation %s of %s failed: %s %s", f.evaluationId(), event.ownerId(), f.code(), f.message());
        }
        EventMessages.deliver(emitter, event.next(answer));
    }

    /** An image to score is not stored or not readable: the request fails naming it. */
    private static final class ImageMissing extends RuntimeException {
        ImageMissing(String message) {
            super(message);
        }
    }
}
