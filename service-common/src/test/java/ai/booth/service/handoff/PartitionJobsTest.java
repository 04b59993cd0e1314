package ai.booth.service.handoff;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The handoff on revocation, with jobs on threads of their own as the workers run them. */
class PartitionJobsTest {

    private static final TopicPartition P0 = new TopicPartition("requests", 0);
    private static final TopicPartition P1 = new TopicPartition("requests", 1);

    @Test
    void aRevokedPartitionsRunningJobIsHandedOverBeforeTheRevocationEndsAndOthersRunOn() throws Exception {
        PartitionJobs jobs = new PartitionJobs(Duration.ofMinutes(1));
        jobs.onPartitionsAssigned(List.of(P0, P1));
        PartitionJobs.Job revoked = jobs.start(P0).orElseThrow();
        PartitionJobs.Job other = jobs.start(P1).orElseThrow();
        CountDownLatch safePoint = new CountDownLatch(1);
        CompletableFuture<Boolean> stoppedHandedOver = CompletableFuture.supplyAsync(() -> {
            try (revoked) {
                while (!revoked.handedOver()) {
                    Thread.onSpinWait(); // a training step
                }
                safePoint.countDown(); // checkpoint stored
                return true;
            }
        });

        jobs.onPartitionsRevoked(List.of(P0));

        assertTrue(safePoint.await(0, TimeUnit.SECONDS), "the revocation returned before the job's safe point");
        assertTrue(stoppedHandedOver.get(1, TimeUnit.MINUTES));
        assertFalse(other.handedOver(), "a job of a partition that stays must run on");
        assertTrue(jobs.start(P0).isEmpty(), "a record of the revoked partition must be left to its new owner");
        assertTrue(jobs.start(P1).isPresent());
        other.close();
    }

    @Test
    void aRevocationThatWaitsTooLongGivesUpAndLetsTheRebalanceGoOn() {
        PartitionJobs jobs = new PartitionJobs(Duration.ofMillis(50));
        jobs.onPartitionsAssigned(List.of(P0));
        PartitionJobs.Job stuck = jobs.start(P0).orElseThrow();

        jobs.onPartitionsRevoked(List.of(P0)); // returns: a job that never reaches a safe point cannot hold the group

        assertTrue(stuck.handedOver());
        stuck.close();
    }
}
