package ai.booth.service;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.IncomingKafkaRecord;
import io.smallrye.reactive.messaging.kafka.commit.KafkaCommitHandler;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The throttled strategy's first-record lookup of a partition's committed offset fails with Kafka's
 * {@link TimeoutException} while the broker is gone; SmallRye would fail the channel for good with it. The handler
 * waits for the broker instead, and lets every other failure through.
 */
class OutageTolerantCommitTest {

    @Test
    void aLookupThatTimesOutWhileTheBrokerIsGoneIsTriedAgainUntilItAnswers() {
        AtomicInteger calls = new AtomicInteger();
        KafkaCommitHandler throttled = new Lookup(() -> calls.incrementAndGet() <= 3
                ? Uni.createFrom().failure(new TimeoutException("Timeout of 60000ms expired before the last committed"
                + " offset for partitions [booth.dataset.ingested-1] could be determined"))
                : Uni.createFrom().item(RECORD));

        var received = handler(throttled).received(RECORD).await().atMost(Duration.ofSeconds(10));

        assertEquals(RECORD, received);
        assertEquals(4, calls.get(), "three timeouts, then the broker answered");
    }

    @Test
    void aFailureTheBrokerCannotCureStillFailsTheRecord() {
        KafkaCommitHandler throttled = new Lookup(() -> Uni.createFrom().failure(new IllegalStateException("bug")));

        var failure = assertThrows(IllegalStateException.class,
                () -> handler(throttled).received(RECORD).await().atMost(Duration.ofSeconds(10)));
        assertEquals("bug", failure.getMessage());
    }

    @Test
    void retriableMeansAKafkaRetriableErrorAnywhereInTheCauses() {
        assertTrue(KafkaFailures.retriable(new RuntimeException(new TimeoutException("t"))));
        assertTrue(!KafkaFailures.retriable(new RuntimeException("no")));
    }

    private static final IncomingKafkaRecord<String, String> RECORD = null;

    private static OutageTolerantCommit.Handler handler(KafkaCommitHandler throttled) {
        return new OutageTolerantCommit.Handler(throttled, null, "booth.dataset.ingested",
                Backoff.of(Duration.ofMillis(10), Duration.ofMillis(50)));
    }

    /** A throttled handler whose {@code received} is the given lookup. */
    private record Lookup(java.util.function.Supplier<Uni<IncomingKafkaRecord<String, String>>> lookup)
            implements KafkaCommitHandler {

        @Override
        @SuppressWarnings("unchecked")
        public <K, V> Uni<IncomingKafkaRecord<K, V>> received(IncomingKafkaRecord<K, V> record) {
            return (Uni<IncomingKafkaRecord<K, V>>) (Uni<?>) lookup.get();
        }

        @Override
        public <K, V> Uni<Void> handle(IncomingKafkaRecord<K, V> record) {
            return Uni.createFrom().voidItem();
        }
    }
}
