package ai.booth.gateway.job;

import ai.booth.contracts.ExperimentRequested;
import ai.booth.contracts.GenerationRequested;
import ai.booth.contracts.GridAxis;
import ai.booth.contracts.Payload;
import ai.booth.contracts.TrainingRequested;

/**
 * What a checked request will cost the workers, in UNet passes at 512×512 (one denoising step of one image without
 * guidance), so rate limits weigh a 20,000-step training at 2048² apart from a 20-step preview. An estimate from the
 * request alone: guidance doubles a step, a training step is a forward and a backward (3 passes), prior preservation
 * doubles the batch, and each class image is rendered once at about 25 guided steps (the trainer's default); an
 * experiment costs its variants' trainings and renders and the base model's render.
 */
public final class JobCost {

    static final double PASS_PIXELS = 512.0 * 512.0;
    static final int CLASS_IMAGE_PASSES = 2 * 25;
    static final int TRAINING_STEP_PASSES = 3;

    private JobCost() {
    }

    /** The rate-limit tokens a checked request costs: one per {@code passesPerToken} UNet passes, at least one. */
    public static long tokens(Payload request, int passesPerToken) {
        return Math.max(1, (long) Math.ceil(passes(request) / passesPerToken));
    }

    /** The request's UNet passes at 512²; 1 for requests without rendering or training (uploads, reprocessing). */
    public static double passes(Payload request) {
        if (request instanceof GenerationRequested g) {
            double guided = g.guidanceScale() > 1 ? 2 : 1;
            return images(g) * maxSteps(g) * guided * (1 + g.controls().size()) * g.width() * g.height()
                    / PASS_PIXELS;
        }
        if (request instanceof TrainingRequested t) {
            double pixels = (double) t.resolution() * t.resolution() / PASS_PIXELS;
            double batch = t.batchSize() * (t.priorPreservation() ? 2 : 1);
            double classImages = t.priorPreservation() ? t.classImageCount() * CLASS_IMAGE_PASSES : 0;
            return (t.maxTrainSteps() * batch * TRAINING_STEP_PASSES + classImages) * pixels;
        }
        if (request instanceof ExperimentRequested e) {
            double variants = e.variants().stream().mapToDouble(v -> passes(v.training()) + passes(e.render())).sum();
            return variants + passes(e.render());
        }
        return 1;
    }

    /** A grid renders a cell per value pair; otherwise {@code count} images. */
    private static int images(GenerationRequested g) {
        if (g.grid() == null) {
            return g.count();
        }
        return g.grid().x().values().size() * (g.grid().y() == null ? 1 : g.grid().y().values().size());
    }

    /** The most steps any image of the request takes (a grid may sweep steps). */
    private static int maxSteps(GenerationRequested g) {
        int steps = g.steps();
        if (g.grid() != null) {
            for (GridAxis axis : new GridAxis[]{g.grid().x(), g.grid().y()}) {
                if (axis != null && axis.parameter().equals("steps")) {
                    steps = Math.max(steps, axis.values().stream().mapToInt(v -> Integer.parseInt(v.strip())).max().orElse(steps));
                }
            }
        }
        return steps;
    }
}
