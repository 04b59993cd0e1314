package ai.booth.dataset;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class DatasetLocksTest {

    @Test
    void noMoreJobsRunAtOnceThanConfiguredAndTheOthersRunAfterThem() throws Exception {
        DatasetLocks locks = new DatasetLocks(config(2));
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        CountDownLatch arrived = new CountDownLatch(4);
        CountDownLatch release = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String datasetId = "ds-" + i; // four datasets on four stripes: only the job bound can hold them back
            Thread thread = new Thread(() -> locks.with("owner", datasetId, () -> {
                peak.accumulateAndGet(inside.incrementAndGet(), Math::max);
                arrived.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS); // the first jobs stay inside until the test lets them go
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                inside.decrementAndGet();
                return done.incrementAndGet();
            }));
            thread.start();
            threads.add(thread);
        }
        // unbounded, all four arrive at once; bounded, two wait outside until the first two are released
        assertFalse(arrived.await(2, TimeUnit.SECONDS), (4 - arrived.getCount()) + " of 4 jobs started at once");
        release.countDown();
        for (Thread thread : threads) {
            thread.join(30_000);
        }
        assertEquals(2, peak.get(), "jobs inside at once");
        assertEquals(4, done.get(), "the waiting jobs ran too");
    }

    private static DatasetConfig config(int concurrentJobs) {
        return new DatasetConfig() {
            @Override
            public int threads() {
                return 1;
            }

            @Override
            public int concurrentJobs() {
                return concurrentJobs;
            }

            @Override
            public java.time.Duration outageWait() {
                return java.time.Duration.ofMinutes(5);
            }
        };
    }
}
