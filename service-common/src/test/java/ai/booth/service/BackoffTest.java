package ai.booth.service;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackoffTest {

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    @Test
    void pausesDoubleFromTheFirstUpToTheCap() {
        Backoff backoff = Backoff.of(ms(100), ms(500));

        List<Duration> pauses = new ArrayList<>();
        for (int failures = 1; failures <= 6; failures++) {
            pauses.add(backoff.pause(failures));
        }

        assertEquals(List.of(ms(100), ms(200), ms(400), ms(500), ms(500), ms(500)), pauses);
        assertEquals(ms(500), backoff.pause(1_000), "no overflow after many failures");
    }

    @Test
    void aBoundedRunWaitsExactlyItsTotalThenGivesUp() {
        Backoff.Waits waits = Backoff.of(ms(100), ms(400)).within(ms(1_000)).start();

        List<Duration> pauses = new ArrayList<>();
        for (Optional<Duration> pause = waits.next(); pause.isPresent(); pause = waits.next()) {
            pauses.add(pause.get());
        }

        assertEquals(List.of(ms(100), ms(200), ms(400), ms(300)), pauses, "the last pause is what is left");
        assertEquals(ms(1_000), waits.waited());
        assertTrue(waits.next().isEmpty(), "spent stays spent");
    }

    @Test
    void anUnboundedRunNeverGivesUp() {
        Backoff.Waits waits = Backoff.of(ms(1), ms(2)).start();

        for (int i = 0; i < 10_000; i++) {
            assertTrue(waits.next().isPresent());
        }
        assertEquals(ms(1 + 2 * 9_999), waits.waited());
    }

    @Test
    void pauseSleepsAndAnswersFalseOnceTheBoundIsSpent() throws InterruptedException {
        Backoff.Waits waits = Backoff.of(ms(20), ms(20)).within(ms(40)).start();

        long start = System.nanoTime();
        assertTrue(waits.pause());
        assertTrue(waits.pause());
        long slept = (System.nanoTime() - start) / 1_000_000;
        assertFalse(waits.pause());

        assertTrue(slept >= 40, "slept " + slept + " ms");
    }

    @Test
    void aPauseEndsWithInterruptedExceptionWhenTheThreadIsInterrupted() {
        Backoff.Waits waits = Backoff.of(Duration.ofMinutes(1), Duration.ofMinutes(1)).start();

        Thread.currentThread().interrupt();
        long start = System.nanoTime();
        assertThrows(InterruptedException.class, waits::pause);

        assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos(), "did not wait the minute");
        assertFalse(Thread.interrupted(), "the flag was consumed by the exception");
    }

    @Test
    void aBackoffNeedsAPositiveFirstPauseNoLargerThanItsCap() {
        assertThrows(IllegalArgumentException.class, () -> Backoff.of(Duration.ZERO, ms(1)));
        assertThrows(IllegalArgumentException.class, () -> Backoff.of(ms(2), ms(1)));
        assertThrows(IllegalArgumentException.class, () -> Backoff.of(ms(1), ms(2)).within(ms(-1)));
    }
}
