package ai.booth.service;

import org.apache.kafka.common.errors.RetriableException;

import java.util.Optional;

/** What a failed Kafka call says about the broker. */
public final class KafkaFailures {

    private KafkaFailures() {
    }

    /** Whether the broker's return can cure {@code failure} (see {@link #retriableCause}). */
    public static boolean retriable(Throwable failure) {
        return retriableCause(failure).isPresent();
    }

    /**
     * The error behind {@code failure} that the broker's return can cure — one of Kafka's retriable errors, timeouts
     * among them — anywhere in its causes (SmallRye wraps the producer's and consumer's errors), or empty.
     */
    public static Optional<Throwable> retriableCause(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof RetriableException) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
