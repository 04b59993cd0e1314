package ai.booth.gateway.job;

import ai.booth.contracts.Event;
import ai.booth.gateway.GatewayConfig;
import ai.booth.gateway.auth.RateLimits;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * How the gateway replicas share their rate limits without infrastructure of their own: a replica stamps the request
 * events it publishes with its instance id, and every replica reads every request in its views; one admitted by
 * another replica, or by this one before a restart, is charged to the key's bucket here at the event's time, at the
 * cost {@link JobCost} gives its payload (recomputed, not read from the record).
 */
@ApplicationScoped
public class ReplicaCharges {

    static final String ADMITTED_BY = "booth-admitted-by";

    private final byte[] instance;
    private final RateLimits rateLimits;
    private final int passesPerToken;

    public ReplicaCharges(@ConfigProperty(name = "quarkus.uuid") String instance, RateLimits rateLimits,
                          GatewayConfig config) {
        this.instance = instance.getBytes(StandardCharsets.UTF_8);
        this.rateLimits = rateLimits;
        this.passesPerToken = config.unetPassesPerToken();
    }

    /** The headers of a request this replica admitted and charged. */
    public Headers stamp(Headers headers) {
        headers.add(ADMITTED_BY, instance);
        return headers;
    }

    /** Charges a request event that an API key started elsewhere; other events change nothing. */
    public void observe(ConsumerRecord<String, Event<?>> record) {
        Header admittedBy = record.headers().lastHeader(ADMITTED_BY);
        if (admittedBy != null && Arrays.equals(admittedBy.value(), instance)) {
            return;
        }
        String keyId = JobMeta.from(record.headers()).keyId();
        if (keyId != null) {
            rateLimits.charge(keyId, JobCost.tokens(record.value().payload(), passesPerToken), record.timestamp());
        }
    }
}
