package ai.booth.contracts;

import java.util.List;

/**
 * Every Kafka topic Booth uses. Topics are a public API (other systems request generations over Kafka): each one is
 * described in {@code asyncapi.yaml} next to these contracts. Records are keyed by the event's correlation id so all
 * events of one job stay ordered within a partition.
 */
public final class Topics {
    public static final String DATASET_INGESTED = "booth.dataset.ingested";
    public static final String DATASET_READY = "booth.dataset.ready";
    public static final String DATASET_REJECTED = "booth.dataset.rejected";
    public static final String DATASET_REPROCESS_REQUESTED = "booth.dataset.reprocess-requested";
    public static final String TRAINING_REQUESTED = "booth.training.requested";
    public static final String TRAINING_CANCEL_REQUESTED = "booth.training.cancel-requested";
    public static final String TRAINING_PROGRESS = "booth.training.progress";
    public static final String TRAINING_COMPLETED = "booth.training.completed";
    public static final String TRAINING_FAILED = "booth.training.failed";
    public static final String GENERATION_REQUESTED = "booth.generation.requested";
    public static final String GENERATION_COMPLETED = "booth.generation.completed";
    public static final String GENERATION_FAILED = "booth.generation.failed";
    public static final String EVALUATION_REQUESTED = "booth.evaluation.requested";
    public static final String EVALUATION_COMPLETED = "booth.evaluation.completed";
    public static final String EVALUATION_FAILED = "booth.evaluation.failed";
    public static final String EXPERIMENT_REQUESTED = "booth.experiment.requested";
    /** Events a consumer could not process, with the failure in the record headers. */
    public static final String DEAD_LETTER = "booth.dead-letter";

    public static final List<String> ALL = List.of(DATASET_INGESTED, DATASET_READY, DATASET_REJECTED,
            DATASET_REPROCESS_REQUESTED, TRAINING_REQUESTED, TRAINING_CANCEL_REQUESTED, TRAINING_PROGRESS, TRAINING_COMPLETED, TRAINING_FAILED,
            GENERATION_REQUESTED, GENERATION_COMPLETED, GENERATION_FAILED, EVALUATION_REQUESTED, EVALUATION_COMPLETED,
            EVALUATION_FAILED, EXPERIMENT_REQUESTED, DEAD_LETTER);

    /** Retention of {@link #TRAINING_PROGRESS}: a week (progress of old jobs is not needed once they ended). */
    public static final long PROGRESS_RETENTION_MS = 7L * 24 * 3600 * 1000;
    /** Retention of {@link #DEAD_LETTER}: 30 days to look at what failed. */
    public static final long DEAD_LETTER_RETENTION_MS = 30L * 24 * 3600 * 1000;

    /**
     * How long a topic keeps its records ({@code retention.ms}; -1 is forever). Requests and results are kept
     * forever: the gateway rebuilds its read model from them on every start, and a queued training may wait longer
     * than Kafka's default week. Whoever creates the topics (local-infra, compose, the Kubernetes overlays) uses this.
     */
    public static long retentionMs(String topic) {
        if (!ALL.contains(topic)) {
            throw new IllegalArgumentException("not a Booth topic: " + topic);
        }
        return switch (topic) {
            case TRAINING_PROGRESS -> PROGRESS_RETENTION_MS;
            case DEAD_LETTER -> DEAD_LETTER_RETENTION_MS;
            default -> -1;
        };
    }

    /** The topic that carries events with this payload type. */
    public static String of(Class<? extends Payload> payloadType) {
        Topic topic = payloadType.getAnnotation(Topic.class);
        if (topic == null) {
            throw new IllegalArgumentException(payloadType.getName() + " has no @Topic");
        }
        return topic.value();
    }

    private Topics() {
    }
}
