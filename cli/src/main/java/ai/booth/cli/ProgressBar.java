package ai.booth.cli;

import ai.booth.diffusion.pipeline.StepListener;

import java.io.PrintWriter;
import java.time.Duration;

/** A one-line progress bar on stderr: {@code  40%|########            | 8/20 [00:03<00:04, 2.51 it/s]}. */
final class ProgressBar implements StepListener {

    private static final int WIDTH = 24;
    private final PrintWriter err;

    ProgressBar(PrintWriter err) {
        this.err = err;
    }

    @Override
    public void onStep(int step, int totalSteps, float timestep, Duration elapsed) {
        double seconds = elapsed.toNanos() / 1e9;
        double rate = step / Math.max(seconds, 1e-9);
        int filled = (int) ((long) WIDTH * step / totalSteps);
        err.printf("\r%3d%%|%s%s| %d/%d [%s<%s, %.2f it/s]", 100 * step / totalSteps, "#".repeat(filled),
                " ".repeat(WIDTH - filled), step, totalSteps, clock(seconds), clock((totalSteps - step) / rate), rate);
        if (step == totalSteps) {
            err.println();
        }
        err.flush();
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format("%02d:%02d", s / 60, s % 60);
    }
}
