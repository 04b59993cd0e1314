package ai.booth.service.handoff;

import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A worker as the services run one, on a real {@link KafkaConsumer}: the workers' consumer settings
 * (cooperative-sticky, one record per poll, no auto-commit), a polling thread that keeps polling (paused) while the
 * job runs on a job thread, an offset committed only after its job reached a terminal state (periodically and on
 * revocation, as SmallRye's throttled strategy does), and the handoff through {@link PartitionJobs}. Jobs are
 * {@link SimulatedJobs}: a few ms of steps. It leaves gracefully ({@link #stop()}: the job stops at a step boundary,
 * unacked, and the consumer closes) or abruptly ({@link #crash()}: the job dies mid-step, nothing is committed and
 * the group finds out when the poll interval expires).
 */
final class SimulatedWorker {

    /** The group drops a worker that stopped polling after this; the handoff waits less. */
    static final Duration MAX_POLL_INTERVAL = Duration.ofSeconds(6);

    private final String name;
    private final KafkaConsumer<String, String> consumer;
    private final PartitionJobs jobs = new PartitionJobs(MAX_POLL_INTERVAL.dividedBy(2));
    private final SimulatedJobs work;
    private final ExecutorService jobThread;
    private final Thread pollThread;
    private final ConcurrentLinkedQueue<ConsumerRecord<String, String>> acks = new ConcurrentLinkedQueue<>();
    private final Map<TopicPartition, OffsetAndMetadata> toCommit = new HashMap<>(); // polling thread only
    private volatile boolean stopping;
    private volatile boolean crashed;

    SimulatedWorker(String name, String bootstrap, String group, String topic, SimulatedJobs work) {
        this.name = name;
        this.work = work;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.CLIENT_ID_CONFIG, name,
                ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName(),
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "1",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "6000",
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "500",
                ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, String.valueOf(MAX_POLL_INTERVAL.toMillis())),
                new StringDeserializer(), new StringDeserializer());
        this.jobThread = Executors.newSingleThreadExecutor(r -> new Thread(r, name + "-job"));
        this.pollThread = new Thread(() -> pollLoop(topic), name + "-poll");
    }

    SimulatedWorker start() {
        pollThread.start();
        return this;
    }

    String name() {
        return name;
    }

    /** Leaves like a worker on shutdown: the running job stops at its next step, unacked; the consumer closes. */
    void stop() throws InterruptedException {
        stopping = true;
        pollThread.join(TimeUnit.MINUTES.toMillis(1));
    }

    /** Dies: the job ends mid-step, uncommitted acks are lost, the consumer just stops polling. */
    void crash() throws InterruptedException {
        crashed = true;
        pollThread.join(TimeUnit.MINUTES.toMillis(1));
        jobThread.shutdownNow();
    }

    /** Releases what a crashed worker left open. */
    void closeQuietly() {
        jobThread.shutdownNow();
        try {
            consumer.close(Duration.ZERO);
        } catch (RuntimeException e) {
            // already closed, or the group is gone: nothing to release
        }
    }

    private void pollLoop(String topic) {
        consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                commit(partitions); // what ended before the revocation keeps its commit
                jobs.onPartitionsRevoked(partitions);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                jobs.onPartitionsAssigned(partitions);
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                jobs.onPartitionsRevoked(partitions); // someone else owns them already: nothing to commit
            }
        });
        Future<?> running = null;
        long lastCommit = System.nanoTime();
        while (!crashed) {
            if (running != null && running.isDone()) {
                running = null;
                consumer.resume(consumer.paused());
            }
            if (stopping && running == null) {
                commit(consumer.assignment());
                consumer.close(); // revokes the partitions: the same handoff, with nothing left running
                jobThread.shutdown();
                return;
            }
            if (System.nanoTime() - lastCommit > TimeUnit.MILLISECONDS.toNanos(100)) {
                commit(consumer.assignment());
                lastCommit = System.nanoTime();
            }
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(20))) {
                running = jobThread.submit(() -> runJob(record));
                consumer.pause(consumer.assignment()); // one job at a time; keep polling for the group
            }
            if (running != null) {
                consumer.pause(consumer.assignment()); // partitions assigned meanwhile wait too
            }
        }
    }

    private void runJob(ConsumerRecord<String, String> record) {
        Optional<PartitionJobs.Job> job = jobs.start(new TopicPartition(record.topic(), record.partition()));
        if (job.isEmpty()) {
            return; // its partition moved on: unacked, the new owner runs it
        }
        try (PartitionJobs.Job j = job.get()) {
            if (work.run(record.value(), name, () -> stopping || j.handedOver(), () -> crashed)) {
                acks.add(record);
            }
        }
    }

    /** Commits the acknowledged offsets of the partitions (all of a partition's earlier records ended too). */
    private void commit(Collection<TopicPartition> partitions) {
        if (crashed) {
            return;
        }
        for (ConsumerRecord<String, String> r; (r = acks.poll()) != null; ) {
            toCommit.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition p : partitions) {
            OffsetAndMetadata offset = toCommit.remove(p);
            if (offset != null) {
                offsets.put(p, offset);
            }
        }
        if (offsets.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(offsets);
        } catch (RebalanceInProgressException e) {
            offsets.forEach(toCommit::putIfAbsent); // the next commit takes them
        } catch (CommitFailedException e) {
            // no longer the owner: the new owner answers these jobs from their outcomes
        }
    }
}
