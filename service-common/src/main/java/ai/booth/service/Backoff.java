package ai.booth.service;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How long Booth waits between attempts of something that failed because S3 or the broker was away: {@code first},
 * doubling up to {@code cap}, and, when bounded, at most {@code total} of waiting in all (the pauses count, not the
 * attempts: a render that took a minute before its upload failed did not wait for S3). The one schedule of every
 * outage retry ({@link S3Wait}, dataset-service's sends, {@link OutageTolerantCommit}, {@link DeadLetterStrategy}),
 * so they wait alike.
 *
 * @param total the bound on the pauses of one run of attempts; null waits as long as it takes
 */
public record Backoff(Duration first, Duration cap, Duration total) {

    /** Jobs waiting for S3 or the broker: 1 s, doubling to 30 s (bound it with {@link #within}). */
    public static final Backoff OUTAGE = of(Duration.ofSeconds(1), Duration.ofSeconds(30));

    public Backoff {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(cap, "cap");
        if (first.isNegative() || first.isZero() || cap.compareTo(first) < 0) {
            throw new IllegalArgumentException("a backoff needs 0 < first <= cap, got " + first + " and " + cap);
        }
        if (total != null && total.isNegative()) {
            throw new IllegalArgumentException("a backoff's total must not be negative, got " + total);
        }
    }

    /** Waits without bound: for what cannot end otherwise (a stored outcome that must reach Kafka). */
    public static Backoff of(Duration first, Duration cap) {
        return new Backoff(first, cap, null);
    }

    /** The same pauses, at most {@code total} of them in all. */
    public Backoff within(Duration total) {
        return new Backoff(first, cap, Objects.requireNonNull(total, "total"));
    }

    /** The pause after the {@code failures}-th failed attempt (from 1): first · 2^(failures − 1), at most cap. */
    public Duration pause(int failures) {
        if (failures < 1) {
            throw new IllegalArgumentException("failures count from 1, got " + failures);
        }
        Duration pause = first;
        for (int i = 1; i < failures && pause.compareTo(cap) < 0; i++) {
            pause = pause.multipliedBy(2);
        }
        return pause.compareTo(cap) < 0 ? pause : cap;
    }

    /** The pauses of one run of attempts (not thread-safe: one per run). */
    public Waits start() {
        return new Waits();
    }

    /** Where one run of attempts stands: how many failed, how long it waited. */
    public final class Waits {

        private int failures;
        private Duration waited = Duration.ZERO;

        private Waits() {
        }

        /**
         * Counts a failed attempt and answers the pause before the next one (the last one shortened to what is left
         * of the bound), or empty when the bound is spent: give up.
         */
        public Optional<Duration> next() {
            if (total != null && waited.compareTo(total) >= 0) {
                return Optional.empty();
            }
            Duration pause = Backoff.this.pause(++failures);
            if (total != null && waited.plus(pause).compareTo(total) > 0) {
                pause = total.minus(waited);
            }
            waited = waited.plus(pause);
            return Optional.of(pause);
        }

        /**
         * Counts a failed attempt and sleeps the pause before the next one: true, try again; false (at once) when the
         * bound is spent.
         *
         * @throws InterruptedException when the thread is interrupted while it waits (a service shutting down)
         */
        public boolean pause() throws InterruptedException {
            Optional<Duration> pause = next();
            if (pause.isEmpty()) {
                return false;
            }
            Thread.sleep(pause.get().toMillis());
            return true;
        }

        /** The pauses taken so far. */
        public Duration waited() {
            return waited;
        }
    }
}
