package ai.booth.sampler;

import ai.booth.contracts.Buckets;
import ai.booth.contracts.Event;
import ai.booth.contracts.GenerationFailed;
import ai.booth.contracts.GenerationRequested;
import ai.booth.contracts.ControlRef;
import ai.booth.contracts.rules.ControlRules;
import ai.booth.contracts.rules.GenerationRules;
import ai.booth.contracts.rules.Range;
import ai.booth.contracts.Topics;
import ai.booth.service.DeadLetters;
import ai.booth.service.EventMessages;
import ai.booth.service.SeenEvents;
import ai.booth.service.handoff.JobHandoff;
import ai.booth.service.handoff.PartitionJobs;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Takes generation requests from Kafka a poll at a time (channel {@value #CHANNEL}, raw bytes, batch mode): what
 * is queued is drained and rendered together where compatible ({@link Generations}). A record that is not a
 * readable GenerationRequested goes to the dead-letter topic and the partition moves on; a request with an id but
 * bad fields is answered with GenerationFailed(INVALID_REQUEST); a re-delivered event (same event id) is dropped.
 * Offsets are committed after the whole poll is processed, so a crash re-delivers it (at least once; finished
 * requests are then answered from their result.json). When a rebalance moves a partition of the poll being rendered
 * to another worker, the revocation waits until the poll is done and its results written ({@link JobHandoff}), so
 * the new owner answers those requests from result.json instead of rendering them again; records of a partition
 * that moved before its poll was processed are left to the new owner.
 */
@ApplicationScoped
public class GenerationRequestConsumer {

    static final String CHANNEL = "generation-requests";

    private static final Logger LOG = Logger.getLogger(GenerationRequestConsumer.class);

    private final DeadLetters deadLetters;
    private final SeenEvents seen;
    private final Generations generations;
    private final Emitter<Event<?>> failed;
    private final PartitionJobs jobs;

    public GenerationRequestConsumer(DeadLetters deadLetters, SeenEvents seen, Generations generations,
                              @Channel(Topics.GENERATION_FAILED) Emitter<Event<?>> failed, JobHandoff handoff) {
        this.deadLetters = deadLetters;
        this.seen = seen;
        this.generations = generations;
        this.failed = failed;
        this.jobs = handoff.jobs();
    }

    @Incoming(CHANNEL)
    @Blocking
    void onRequests(ConsumerRecords<String, byte[]> records) {
        Map<TopicPartition, PartitionJobs.Job> started = new HashMap<>();
        try {
            for (TopicPartition partition : records.partitions()) {
                jobs.start(partition).ifPresent(job -> started.put(partition, job));
            }
            List<Event<GenerationRequested>> admitted = new ArrayList<>();
            for (ConsumerRecord<String, byte[]> record : records) {
                if (started.containsKey(new TopicPartition(record.topic(), record.partition()))) {
                    admit(record).ifPresent(admitted::add);
                }
            }
            if (!admitted.isEmpty()) {
                generations.process(admitted);
            }
        } finally {
            started.values().forEach(PartitionJobs.Job::close);
        }
    }

    @SuppressWarnings("unchecked")
    private Optional<Event<GenerationRequested>> admit(ConsumerRecord<String, byte[]> record) {
        Optional<Event<?>> read = deadLetters.read(record);
        if (read.isEmpty()) {
            return Optional.empty();
        }
        Event<?> event = read.get();
        if (!(event.payload() instanceof GenerationRequested request)) {
            deadLetters.publish(record, "expected a GenerationRequested event on " + record.topic() + ", got "
                    + event.type());
            return Optional.empty();
        }
        if (request.generationId().isBlank()) {
            deadLetters.publish(record, "GenerationRequested.generationId is blank: nobody to answer");
            return Optional.empty();
        }
        if (!seen.firstTime(event)) {
            LOG.infof("event %s re-delivered: dropped", event.eventId());
            return Optional.empty();
        }
        List<String> problems = problems(request, event.ownerId());
        if (!problems.isEmpty()) {
            EventMessages.send(failed, event.next(new GenerationFailed(request.generationId(), "INVALID_REQUEST",
                    String.join("; ", problems)))).toCompletableFuture().join();
            return Optional.empty();
        }
        return Optional.of((Event<GenerationRequested>) event);
    }

    /**
     * Field rules that need no lookups, with the gateway's bounds ({@link GenerationRules}), so a request published
     * by another producer is held to the same limits; each problem names the field and its value.
     */
    static List<String> problems(GenerationRequested r, String ownerId) {
        List<String> problems = new ArrayList<>();
        GenerationRules.STEPS.problem("steps", r.steps()).ifPresent(problems::add);
        if (r.grid() == null) {   // a class-image set holds as many images as its training uses
            Range count = Buckets.SYSTEM_OWNER.equals(ownerId) ? GenerationRules.CLASS_IMAGE_COUNT
                    : GenerationRules.COUNT;
            count.problem("count", r.count()).ifPresent(problems::add);
        }
        if (!GenerationRules.validSize(r.width()) || !GenerationRules.validSize(r.height())) {
            problems.add("width and height must be multiples of " + GenerationRules.PIXEL_MULTIPLE + " in ["
                    + GenerationRules.SIZE.minInt() + ", " + GenerationRules.SIZE.maxInt() + "], got " + r.width()
                    + "x" + r.height());
        }
        GenerationRules.GUIDANCE_SCALE.problem("guidanceScale", r.guidanceScale()).ifPresent(problems::add);
        GenerationRules.CLIP_SKIP.problem("clipSkip", r.clipSkip()).ifPresent(problems::add);
        GenerationRules.DEEP_CACHE.problem("deepCache", r.deepCacheInterval()).ifPresent(problems::add);
        GenerationRules.TOKEN_MERGING.problem("tokenMerging", r.tokenMergingRatio()).ifPresent(problems::add);
        if (r.deepCacheInterval() > 1 && !r.controls().isEmpty()) {
            problems.add("deepCache " + GenerationRules.DEEP_CACHE_WITHOUT_CONTROLS);
        }
        if (r.prompt().isBlank()) {
            problems.add("prompt must not be blank");
        }
        controlProblems(problems, r);
        return problems;
    }

    /** The ControlNet units, held to {@link ControlRules} as the gateway holds them. */
    private static void controlProblems(List<String> problems, GenerationRequested r) {
        if (r.controls().size() > ControlRules.MAX_CONTROLS) {
            problems.add("controls must hold at most " + ControlRules.MAX_CONTROLS + " units, got "
                    + r.controls().size());
        }
        for (int i = 0; i < r.controls().size(); i++) {
            ControlRef c = r.controls().get(i);
            String field = "controls[" + i + "]";
            if (!ControlRules.PREPROCESSORS.contains(c.preprocessor())) {
                problems.add(field + ".preprocessor must be one of " + ControlRules.PREPROCESSORS + ", got '"
                        + c.preprocessor() + "'");
            }
            ControlRules.CANNY_THRESHOLD.problem(field + ".lowThreshold", c.lowThreshold()).ifPresent(problems::add);
            ControlRules.CANNY_THRESHOLD.problem(field + ".highThreshold", c.highThreshold()).ifPresent(problems::add);
            ControlRules.SCALE.problem(field + ".scale", c.scale()).ifPresent(problems::add);
            if (!ControlRules.validWindow(c.guidanceStart(), c.guidanceEnd())) {
                problems.add(field + ": guidanceStart and guidanceEnd must satisfy 0 <= start < end <= 1, got "
                        + Range.format(c.guidanceStart()) + " and " + Range.format(c.guidanceEnd()));
            }
        }
    }

}
