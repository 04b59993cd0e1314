package ai.booth.service.handoff;

import ai.booth.infra.InfraProcess;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 1,000 queued jobs over workers that join, leave and crash while they run, on the real embedded broker: each
 * worker is a real consumer of one group with the workers' settings and the handoff of {@link PartitionJobs}
 * (see {@link SimulatedWorker}). Churn follows a seeded schedule keyed to progress, not to time, and nothing asserts
 * a duration: only that every job ends exactly once.
 */
class RebalanceSimulationTest {

    private static final int JOBS = 1000;
    private static final int PARTITIONS = 6; // few per worker: a joiner often takes the partition of a running job
    private static final long SEED = 19;
    private static final String TOPIC = "handoff-simulation";
    private static final String GROUP = "handoff-simulation-workers";

    @TempDir
    Path data;

    @Test
    void aThousandJobsOverWorkersThatJoinAndLeaveEndOnceEach() throws Exception {
        try (InfraProcess infra = InfraProcess.start(InfraProcess.Settings.ephemeral(data))) {
            String bootstrap = infra.kafkaBootstrap();
            long started = System.nanoTime();
            queue(bootstrap);
            SimulatedJobs jobs = new SimulatedJobs();
            Random random = new Random(SEED);
            List<SimulatedWorker> live = new ArrayList<>();
            List<SimulatedWorker> crashed = new ArrayList<>();
            int[] joined = {0};
            Runnable join = () -> live.add(new SimulatedWorker("worker-" + joined[0]++, bootstrap, GROUP, TOPIC, jobs)
                    .start());
            try {
                for (int i = 0; i < 3; i++) {
                    join.run();
                }
                int churn = 0;
                int left = 0;
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
                while (jobs.outcomes() < JOBS && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                    if (jobs.outcomes() < 40 * (churn + 1) || churn >= 24) {
                        continue;
                    }
                    churn++;
                    int action = random.nextInt(4); // join (a joiner takes partitions mid-job), leave, crash
                    if (action < 2 && live.size() < 5 || live.size() <= 2) {
                        join.run();
                    } else {
                        SimulatedWorker leaving = live.remove(random.nextInt(live.size()));
                        if (action == 3 && crashed.size() < 2) {
                            leaving.crash();
                            crashed.add(leaving);
                        } else {
                            leaving.stop();
                            left++;
                        }
                    }
                }
                assertTrue(churn >= 20 && left > 0 && !crashed.isEmpty(), "the run saw too little churn: " + churn
                        + " changes, " + left + " graceful leaves, " + crashed.size() + " crashes");
            } finally {
                for (SimulatedWorker worker : live) {
                    worker.stop();
                }
                crashed.forEach(SimulatedWorker::closeQuietly);
            }
            Set<String> lost = new TreeSet<>(IntStream.range(0, JOBS).mapToObj(SimulatedJobs::id).toList());
            lost.removeAll(jobs.withOutcome());
            assertEquals(Set.of(), lost, "jobs without an outcome");
            assertEquals(List.of(), jobs.violations(), "jobs run twice at once or ended twice");
            assertEquals(Map.of(), jobs.completedMoreThanOnce(), "jobs whose work ran to completion twice");
            System.out.printf("%d jobs ended once each over %d workers in %d s; %d runs stopped at a step boundary%n",
                    JOBS, joined[0], (System.nanoTime() - started) / 1_000_000_000L, jobs.stoppedAtBoundary());
        }
    }

    private static void queue(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all().get(1, TimeUnit.MINUTES);
        }
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < JOBS; i++) {
                producer.send(new ProducerRecord<>(TOPIC, SimulatedJobs.id(i), SimulatedJobs.id(i)));
            }
            producer.flush();
        }
    }
}
