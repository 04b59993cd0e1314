package ai.booth.cli;

import ai.booth.diffusion.pipeline.StepListener;
import ai.booth.diffusion.train.ProgressListener;
import ai.booth.diffusion.train.StepProgress;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * A one-line progress bar on stderr: {@code  40%|########            | 8/20 [00:03<00:04, 2.51 it/s]}, for sampling
 * steps and for training steps (then with the loss and learning rate, and preparation stages on their own line).
 */
final class ProgressBar implements StepListener, ProgressListener {

    private static final int WIDTH = 24;
    private final PrintWriter err;
    private long trainingStart;

    ProgressBar(PrintWriter err) {
        this.err = err;
    }

    @Override
    public void onStep(int step, int totalSteps, float timestep, Duration elapsed) {
        double seconds = elapsed.toNanos() / 1e9;
        double rate = step / Math.max(seconds, 1e-9);
        show(step, totalSteps, seconds, (totalSteps - step) / rate, rate, "");
    }

    @Override
    public void preparing(String stage, int done, int total) {
        err.printf("\r%s %d/%d", stage, done, total);
        if (done == total) {
            err.println();
        }
        err.flush();
    }

    @Override
    public void step(StepProgress p) {
        long now = System.nanoTime();
        if (trainingStart == 0) {
            trainingStart = now - (long) (1e9 / p.itPerSec());
        }
        show(p.step(), p.totalSteps(), (now - trainingStart) / 1e9, p.etaSeconds(), p.itPerSec(),
                String.format(Locale.ROOT, ", loss %.4f, lr %.2e", p.loss(), p.lr()));
    }

    @Override
    public void checkpoint(int step, java.nio.file.Path dir) {
        err.printf("%ncheckpoint at step %d: %s%n", step, dir);
        err.flush();
    }

    private void show(int step, int total, double seconds, double eta, double rate, String extra) {
        int filled = (int) ((long) WIDTH * step / total);
        err.printf(Locale.ROOT, "\r%3d%%|%s%s| %d/%d [%s<%s, %.2f it/s%s]", 100 * step / total, "#".repeat(filled),
                " ".repeat(WIDTH - filled), step, total, clock(seconds), clock(eta), rate, extra);
        if (step == total) {
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
