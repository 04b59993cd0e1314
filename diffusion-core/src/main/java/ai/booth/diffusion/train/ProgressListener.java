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
}
