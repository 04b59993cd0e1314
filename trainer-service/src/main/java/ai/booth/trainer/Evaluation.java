package ai.booth.trainer;

import ai.booth.contracts.EvalScores;
import ai.booth.diffusion.eval.RgbImage;
import ai.booth.diffusion.eval.SubjectFidelity;
import ai.booth.service.models.ScoringEncoders;

import java.nio.file.Path;
import java.util.List;

/**
 * One training's scoring: the DreamBooth paper's DINO and CLIP-I of each validation step's images against the
 * subject's real images, and CLIP-T of each image against its own validation prompt without the subject's tokens.
 * Holds the loaded encoders and the leases on their files until closed.
 */
final class Evaluation implements AutoCloseable {

    private final ScoringEncoders.Loaded encoders;
    private final List<RgbImage> real;
    private final List<String> prompts;
    private final List<String> tokens;
    private final String selectBy;

    Evaluation(ScoringEncoders.Loaded encoders, List<RgbImage> real, List<String> prompts, List<String> tokens,
               String selectBy) {
        this.encoders = encoders;
        this.real = real;
        this.prompts = prompts;
        this.tokens = tokens;
        this.selectBy = selectBy;
    }

    /** Scores the images validation rendered at {@code step}, one per validation prompt in order. */
    EvalScores score(int step, List<Path> images) {
        List<RgbImage> generated = images.stream().map(RgbImage::read).toList();
        List<String> imagePrompts = java.util.stream.IntStream.range(0, generated.size())
                .mapToObj(i -> prompts.get(i % prompts.size())).toList();
        SubjectFidelity s = SubjectFidelity.score(encoders.encoders(), real, generated, imagePrompts, tokens);
        return new EvalScores(step, s.dino(), s.clipI(), s.clipT(), generated.size(), real.size());
    }

    /** The metric whose best-scored step the training keeps; null keeps the last. */
    String selectBy() {
        return selectBy;
    }

    @Override
    public void close() {
        encoders.close();
    }
}
