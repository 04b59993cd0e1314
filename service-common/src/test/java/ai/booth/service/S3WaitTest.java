package ai.booth.service;

import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class S3WaitTest {

    private static final Backoff QUICK = Backoff.of(Duration.ofMillis(5), Duration.ofMillis(20))
            .within(Duration.ofMillis(100));

    private static ObjectStoreException refused() {
        ConnectException cause = new ConnectException("Connection refused");
        return new ObjectStoreException("S3 get s3://models/sd-tiny/model_index.json failed: " + cause, cause);
    }

    @Test
    void workThatMeetsAnOutageRunsAgainUntilS3Answers() throws InterruptedException {
        AtomicInteger attempts = new AtomicInteger();

        String result = new S3Wait(QUICK).run("generation g", () -> {
            if (attempts.incrementAndGet() <= 3) {
                throw new IllegalStateException("render failed", refused()); // wrapped, as the engine may
            }
            return "done";
        });

        assertEquals("done", result);
        assertEquals(4, attempts.get());
    }

    @Test
    void anOutageLongerThanTheBoundGivesUpNamingS3() {
        AtomicInteger attempts = new AtomicInteger();

        S3Wait.GaveUp gaveUp = assertThrows(S3Wait.GaveUp.class, () -> new S3Wait(QUICK).run("generation g",
                () -> {
                    attempts.incrementAndGet();
                    throw refused();
                }));

        assertTrue(gaveUp.getMessage().startsWith("generation g: S3 stayed unavailable after waiting 100 ms"),
                gaveUp.getMessage());
        assertTrue(gaveUp.getMessage().contains("Connection refused"), gaveUp.getMessage());
        assertEquals(8, attempts.get(), "pauses of 5, 10, 20, 20, 20, 20 and the 5 ms left: eight attempts");
        assertFalse(ObjectStoreException.unavailable(gaveUp), "giving up is not an outage to wait out again");
    }

    @Test
    void attemptsThroughOneWaitShareItsBound() {
        S3Wait wait = new S3Wait(QUICK);
        assertThrows(S3Wait.GaveUp.class, () -> wait.run("first", () -> {
            throw refused();
        }));
        AtomicInteger attempts = new AtomicInteger();

        assertThrows(S3Wait.GaveUp.class, () -> wait.run("second", () -> {
            attempts.incrementAndGet();
            throw refused();
        }));
        assertEquals(1, attempts.get(), "the bound was spent: one attempt, no more waiting");
    }

    @Test
    void anyOtherFailureIsThrownAtOnce() {
        AtomicInteger attempts = new AtomicInteger();
        IllegalArgumentException bad = new IllegalArgumentException("no such adapter");

        var thrown = assertThrows(IllegalArgumentException.class, () -> new S3Wait(QUICK).run("generation g",
                () -> {
                    attempts.incrementAndGet();
                    throw bad;
                }));

        assertSame(bad, thrown);
        assertEquals(1, attempts.get());
    }
}
