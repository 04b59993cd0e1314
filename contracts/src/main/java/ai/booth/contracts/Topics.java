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
    /** Events a consumer could not process, with the failure in the record headers. */
    public static final String DEAD_LETTER = "booth.dead-letter";

    public static final List<String> ALL = List.of(DATASET_INGESTED, DATASET_READY, DATASET_REJECTED,
            DATASET_REPROCESS_REQUESTED, TRAINING_REQUESTED, TRAINING_CANCEL_REQUESTED, TRAINING_PROGRESS, TRAINING_COMPLETED, TRAINING_FAILED,
            GENERATION_REQUESTED, GENERATION_COMPLETED, GENERATION_FAILED, DEAD_LETTER);

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
