package ai.booth.trainer;

import ai.booth.contracts.TrainingRequested;
import ai.booth.diffusion.eval.RgbImage;
import ai.booth.service.models.ModelCacheException;
import ai.booth.service.models.ScoringEncoders;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Decides whether a training evaluates and opens its {@link Evaluation}: with validation prompts and the installed
 * encoders ({@link ScoringEncoders}) unless the request says {@code evaluate: false}; a request that asks for it (or
 * for a {@code selectBy}) without the encoders fails with {@value ScoringEncoders#UNAVAILABLE}, naming what is
 * missing.
 */
@ApplicationScoped
public class Evaluations {

    private final ScoringEncoders encoders;

    public Evaluations(ScoringEncoders encoders) {
        this.encoders = encoders;
    }

    /**
     * The job's evaluation against the subject's images in the folder {@code realImages} gives (called only when the
     * job evaluates); empty when it does not.
     */
    Optional<Evaluation> open(TrainingRequested request, Supplier<Path> realImages) {
        if (Boolean.FALSE.equals(request.evaluate())) {
            return Optional.empty();
        }
        if (!request.validates()) { // asking for it without validation is refused by TrainingRequestCheck
            return Optional.empty();
        }
        boolean asked = Boolean.TRUE.equals(request.evaluate()) || request.selectBy() != null;
        ScoringEncoders.Loaded loaded;
        try {
            loaded = encoders.load();
        } catch (ModelCacheException e) {
            if (!asked && ScoringEncoders.UNAVAILABLE.equals(e.code())) {
                return Optional.empty(); // evaluation is on by default only where the encoders are installed
            }
            throw new JobFailure(e.code(), e.getMessage(), e);
        }
        try {
            List<RgbImage> real = RgbImage.filesIn(realImages.get()).stream().map(RgbImage::read).toList();
            return Optional.of(new Evaluation(loaded, real, request.validationPrompts(), request.subjectTokens(),
                    request.selectBy()));
        } catch (RuntimeException e) {
            loaded.close();
            throw e;
        }
    }
}
