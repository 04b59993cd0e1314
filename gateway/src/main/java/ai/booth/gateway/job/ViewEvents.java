package ai.booth.gateway.job;

import ai.booth.contracts.Event;
import ai.booth.contracts.Payload;
import io.smallrye.reactive.messaging.kafka.DeserializationFailureHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The one consumer of the views channel: every request and result topic of every job kind (application.properties),
 * each record handed to the {@link JobRegistry} that reads its payload type. One channel, so a new kind is its
 * topics in the channel's list and a registry, nothing here. Request events also reach {@link ReplicaCharges}, which
 * charges the rate limits for jobs other replicas admitted.
 */
@ApplicationScoped
public class ViewEvents {

    /** The channel; {@link ViewProgressInterceptor} and {@link ViewsReadinessCheck} follow its records. */
    static final String CHANNEL = "views";

    private final Map<Class<? extends Payload>, JobRegistry<?>> registryOf = new HashMap<>();
    private final ReplicaCharges replicaCharges;

    public ViewEvents(@Any Instance<JobRegistry<?>> registries, ReplicaCharges replicaCharges) {
        this.replicaCharges = replicaCharges;
        registries.forEach(registry -> registry.payloadTypes().forEach(type -> registryOf.put(type, registry)));
    }

    @Incoming(CHANNEL)
    void apply(ConsumerRecord<String, Event<?>> record) {
        if (record.value() == null) { // unreadable (UnreadableViewRecords): refused, so dead-lettered and counted
            var reason = record.headers().lastHeader(DeserializationFailureHandler.DESERIALIZATION_FAILURE_REASON);
            throw new IllegalArgumentException("not a readable Booth event"
                    + (reason == null ? "" : ": " + new String(reason.value(), StandardCharsets.UTF_8)));
        }
        JobRegistry<?> registry = registryOf.get(record.value().payload().getClass());
        if (registry == null) {
            // a topic in the channel's list that no view reads: a configuration error, dead-lettered (not lost)
            throw new IllegalStateException("no view reads " + record.value().type() + " events (topic "
                    + record.topic() + ")");
        }
        registry.apply(record);
        replicaCharges.observe(record);
    }
}
