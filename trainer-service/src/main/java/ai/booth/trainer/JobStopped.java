package ai.booth.trainer;

/** A job stopped before its end on request (cancel, or the worker shutting down); the runner decides what follows. */
final class JobStopped extends RuntimeException {

    JobStopped() {
        super("stopped", null, false, false);
    }
}
