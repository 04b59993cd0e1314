package ai.booth.gateway.job;

import io.smallrye.reactive.messaging.IncomingInterceptor;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Tells {@link ViewProgress} about every record the views channel has finished with: acknowledged after its view was
 * updated, or negatively acknowledged (dead-lettered: unreadable records count as handled, or one poison record
 * would keep the gateway unready forever). Without an {@code @Identifier} it applies to every incoming channel of
 * the gateway; only the views channel counts.
 */
@ApplicationScoped
public class ViewProgressInterceptor implements IncomingInterceptor {

    private final ViewProgress progress;

    public ViewProgressInterceptor(ViewProgress progress) {
        this.progress = progress;
    }

    @Override
    public void onMessageAck(Message<?> message) {
        record(message);
    }

    @Override
    public void onMessageNack(Message<?> message, Throwable failure) {
        record(message);
    }

    private void record(Message<?> message) {
        message.getMetadata(IncomingKafkaRecordMetadata.class)
                .filter(kafka -> ViewEvents.CHANNEL.equals(kafka.getChannel()))
                .ifPresent(kafka -> progress.handled(kafka.getTopic(), kafka.getPartition(), kafka.getOffset()));
    }
}
