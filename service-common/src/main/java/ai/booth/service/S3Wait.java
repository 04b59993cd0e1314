package ai.booth.service;

import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Runs work that needs S3 again while it fails because S3 is unavailable ({@link ObjectStoreException#unavailable(
 * Throwable)}: unreachable, or answering "try later"), pausing as a {@link Backoff} says. Every attempt run through one
 * S3Wait shares its backoff's bound, so a worker with many jobs queued behind an outage waits for it once, not once
 * per job; when the bound is spent the failure is {@link GaveUp}. Any other failure is thrown at once. The work must
 * be safe to run again: it leaves nothing half-written that a rerun would not replace.
 */
public final class S3Wait {

    /** The failure code of a job that gave up waiting for S3. */
    public static final String CODE = "S3_UNAVAILABLE";

    private static final Logger LOG = Logger.getLogger(S3Wait.class);

    private final Backoff.Waits waits;

    /** @param backoff the pauses, and their bound, of every attempt run through this wait */
    public S3Wait(Backoff backoff) {
        this.waits = backoff.start();
    }

    /**
     * The work's result, once an attempt of it ended without meeting an S3 outage.
     *
     * @param job names the work in the log
     * @throws GaveUp when S3 stayed unavailable for the backoff's bound
     * @throws InterruptedException when interrupted during a pause (the service is stopping)
     */
    public <T> T run(String job, Supplier<T> work) throws InterruptedException {
        while (true) {
            try {
                return work.get();
            } catch (RuntimeException e) {
                if (!ObjectStoreException.unavailable(e)) {
                    throw e;
                }
                Optional<Duration> pause = waits.next();
                if (pause.isEmpty()) {
                    throw new GaveUp(job, waits.waited(), e);
                }
                LOG.warnf("%s: S3 is unavailable (%s); running it again in %d ms", job, s3Failure(e),
                        pause.get().toMillis());
                Thread.sleep(pause.get().toMillis());
            }
        }
    }

    /** {@link #run(String, Supplier)} for work without a result. */
    public void run(String job, Runnable work) throws InterruptedException {
        run(job, () -> {
            work.run();
            return null;
        });
    }

    /** The S3 call that met the outage, as ObjectStore describes it (operation, object, cause). */
    private static String s3Failure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ObjectStoreException) {
                return t.getMessage();
            }
        }
        return failure.toString();
    }

    /**
     * S3 stayed unavailable for as long as the job may wait: its failure names S3 ({@link #CODE}). The last S3
     * failure is attached as suppressed, not as the cause, so this is not itself an outage to wait out again.
     */
    public static final class GaveUp extends RuntimeException {

        GaveUp(String job, Duration waited, RuntimeException last) {
            super(job + ": S3 stayed unavailable after waiting " + (waited.toMillis() < 1_000
                    ? waited.toMillis() + " ms" : waited.toSeconds() + " s") + " for it; last failure: "
                    + s3Failure(last));
            addSuppressed(last);
        }
    }
}
