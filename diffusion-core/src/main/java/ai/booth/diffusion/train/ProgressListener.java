package ai.booth.diffusion.train;

import java.nio.file.Path;
import java.util.List;

/** Hears what a training job does; every method has a no-op default. Called on the training thread. */
public interface ProgressListener {

    ProgressListener NONE = new ProgressListener() { };

    /** Preparation before the first step, e.g. ("encoding images", 3, 25). */
    default void preparing(String stage, int done, int total) {
    }

    /** After every optimizer step. */
    default void step(StepProgress progress) {
    }

    /** A checkpoint was written. */
    default void checkpoint(int step, Path dir) {
    }

    /** Validation images were rendered and written. */
    default void validation(int step, List<Path> images) {
    }

    /**
     * Whether to write what is trained so far (an adapter's files, new tokens' embeddings) after the validation of
     * {@code step}, e.g. to keep the best-scored step instead of the last; never for a full fine-tune.
     */
    default boolean snapshotAt(int step) {
        return false;
    }

    /** What was trained up to {@code step}, written as at the end of a run because {@link #snapshotAt} asked. */
    default void snapshot(int step, TrainingResult files) {
    }
}
