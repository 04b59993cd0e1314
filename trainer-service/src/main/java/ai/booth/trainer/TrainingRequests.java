package ai.booth.trainer;

import ai.booth.contracts.Event;
import ai.booth.contracts.TrainingRequested;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Consumes training requests, one job at a time per worker (ordered blocking processing); all workers share one
 * consumer group, so partitions — and the jobs keyed onto them — are split between them. A request is acknowledged
 * (and its offset committed) only when its job reached a terminal state: a worker that crashes or stops mid-job
 * leaves it uncommitted, and whichever worker gets the partition next resumes it from its S3 checkpoint. The
 * consumer keeps polling (paused) while a job runs, so long jobs do not leave the group; the channel's
 * unprocessed-record age check is off, since a record legitimately waits for hours (application.properties).
 */
@ApplicationScoped
public class TrainingRequests {

    private final TrainingRunner runner;

    public TrainingRequests(TrainingRunner runner) {
        this.runner = runner;
    }

    @Incoming("training-requests")
    @Blocking
    CompletionStage<Void> onRequested(Message<Event<TrainingRequested>> message) {
        if (runner.run(message.getPayload()) == TrainingRunner.Ending.TERMINAL) {
            return message.ack();
        }
        return CompletableFuture.completedFuture(null); // unacknowledged: redelivered after a restart or rebalance
    }
}
