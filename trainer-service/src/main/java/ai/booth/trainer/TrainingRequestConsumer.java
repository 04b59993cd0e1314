package ai.booth.trainer;

import ai.booth.contracts.Event;
import ai.booth.contracts.TrainingRequested;
import ai.booth.service.DeadLetters;
import ai.booth.service.handoff.JobHandoff;
import ai.booth.service.handoff.PartitionJobs;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Consumes training requests, one job at a time per worker (ordered blocking processing); all workers share one
 * consumer group, so partitions — and the jobs keyed onto them — are split between them. A request is acknowledged
 * (and its offset committed) only when its job reached a terminal state: a worker that crashes or stops mid-job
 * leaves it uncommitted, and whichever worker gets the partition next resumes it from its S3 checkpoint. The
 * consumer keeps polling (paused) while a job runs, so long jobs do not leave the group; the channel's
 * unprocessed-record age check is off, since a record legitimately waits for hours (application.properties).
 * Records arrive as bytes: one that is not a valid training request goes to the dead-letter topic and is
 * acknowledged, so it never blocks the partition. When a rebalance moves the partition of the running job to another
 * worker, the revocation waits until the job stopped at a step boundary, checkpointed and unacknowledged
 * ({@link JobHandoff}), so the new owner resumes it instead of running it a second time alongside.
 */
@ApplicationScoped
public class TrainingRequestConsumer {

    private final TrainingRunner runner;
    private final DeadLetters deadLetters;
    private final PartitionJobs jobs;

    public TrainingRequestConsumer(TrainingRunner runner, DeadLetters deadLetters, JobHandoff handoff) {
        this.runner = runner;
        this.deadLetters = deadLetters;
        this.jobs = handoff.jobs();
    }

    @Incoming("training-requests")
    @Blocking
    CompletionStage<Void> onRequested(Message<byte[]> message) {
        ConsumerRecord<?, byte[]> record = message.getMetadata(IncomingKafkaRecordMetadata.class)
                .orElseThrow(() -> new IllegalStateException("not a Kafka message")).getRecord();
        Optional<PartitionJobs.Job> job = jobs.start(new TopicPartition(record.topic(), record.partition()));
        if (job.isEmpty()) {
            return CompletableFuture.completedFuture(null); // the partition moved on: its new owner runs the request
        }
        try (PartitionJobs.Job running = job.get()) {
            return handle(record, running) == TrainingRunner.Ending.INTERRUPTED
                    ? CompletableFuture.completedFuture(null) // unacknowledged: redelivered after restart or rebalance
                    : message.ack();
        }
    }

    @SuppressWarnings("unchecked")
    private TrainingRunner.Ending handle(ConsumerRecord<?, byte[]> record, PartitionJobs.Job job) {
        Optional<Event<?>> event = deadLetters.read(record);
        if (event.isPresent() && !(event.get().payload() instanceof TrainingRequested)) {
            deadLetters.publish(record, "expected a TrainingRequested event on " + record.topic() + ", got "
                    + event.get().type());
        } else if (event.isPresent()) {
            return runner.run((Event<TrainingRequested>) event.get(), job::handedOver);
        }
        return TrainingRunner.Ending.TERMINAL;
    }
}
