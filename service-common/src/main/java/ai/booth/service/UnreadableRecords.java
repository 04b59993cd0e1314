package ai.booth.service;

import io.quarkus.arc.Unremovable;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.DeserializationFailureHandler;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.header.Headers;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What SmallRye does with a record {@code EventSerde} cannot read, minus its size problem: the record is marked for
 * the dead-letter topic as SmallRye's own fallback marks it, but with at most {@link #KEPT_BYTES} of its value.
 * The dead letter ({@link DeadLetterStrategy}) carries the bytes three times (as its value and in SmallRye's two
 * failure headers), so a 900 KB record made a 2.7 MB dead letter, which the broker refuses for good (and a dead
 * letter Kafka refuses is tried again until it takes it, holding the channel up). Larger values keep their first bytes
 * and say their size in {@link #ORIGINAL_SIZE}. Set for every channel in service-common's defaults.
 */
@ApplicationScoped
@Unremovable // looked up by name by the connector, injected nowhere
@Identifier(UnreadableRecords.NAME)
public class UnreadableRecords implements DeserializationFailureHandler<Object> {

    /** {@code mp.messaging.connector.smallrye-kafka.value-deserialization-failure-handler} */
    public static final String NAME = "booth-unreadable-records";
    /** Three copies and the record's own headers stay well inside Kafka's default 1 MB per record. */
    public static final int KEPT_BYTES = 256 * 1024;
    public static final String ORIGINAL_SIZE = "dead-letter-original-size";

    @Override
    public Object decorateDeserialization(Uni<Object> deserialization, String topic, boolean isKey,
                                          String deserializer, byte[] data, Headers headers) {
        return deserialization.onFailure().recoverWithItem(failure -> {
            mark(deserializer, topic, isKey, headers, data, failure);
            return null;
        }).await().indefinitely();
    }

    /** Adds SmallRye's failure headers to the record, with at most {@link #KEPT_BYTES} of its bytes. */
    public static void mark(String deserializer, String topic, boolean isKey, Headers headers, byte[] data,
                            Throwable failure) {
        byte[] kept = data == null || data.length <= KEPT_BYTES ? data : Arrays.copyOf(data, KEPT_BYTES);
        DeserializationFailureHandler.addFailureDetailsToHeaders(deserializer, topic, isKey, headers, kept, failure);
        if (headers != null && kept != data) {
            headers.add(ORIGINAL_SIZE, String.valueOf(data.length).getBytes(StandardCharsets.UTF_8));
        }
    }
}
