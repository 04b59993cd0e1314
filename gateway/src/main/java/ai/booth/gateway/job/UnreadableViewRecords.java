package ai.booth.gateway.job;

import ai.booth.service.UnreadableRecords;
import io.quarkus.arc.Unremovable;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.DeserializationFailureHandler;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.common.header.Headers;

/**
 * The views channel's variant of {@link UnreadableRecords}: the record is not dead-lettered by the Kafka source
 * (which would skip every interceptor) but reaches {@link ViewEvents} with no value, which refuses it, so its
 * negative acknowledgement dead-letters it and {@link ViewProgressInterceptor} counts it as handled. Otherwise an
 * unreadable record at the end of a partition kept a restarted gateway unready for good.
 */
@ApplicationScoped
@Unremovable // looked up by name by the connector, injected nowhere
@Identifier(UnreadableViewRecords.NAME)
public class UnreadableViewRecords implements DeserializationFailureHandler<Object> {

    /** {@code mp.messaging.incoming.views.value-deserialization-failure-handler} */
    public static final String NAME = "booth-unreadable-view-records";

    @Override
    public Object decorateDeserialization(Uni<Object> deserialization, String topic, boolean isKey,
                                          String deserializer, byte[] data, Headers headers) {
        return deserialization.onFailure().recoverWithItem(failure -> {
            UnreadableRecords.mark(deserializer, topic, isKey, headers, data, failure);
            if (headers != null) {
                headers.remove(DESERIALIZATION_FAILURE_DLQ);
            }
            return null;
        }).await().indefinitely();
    }
}
