package ai.booth.service;

import ai.booth.contracts.Event;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Publishing Booth events: keyed by correlation id so one job's events stay in order on one partition. */
public final class EventMessages {

    /** Sends the event; the stage completes when Kafka acknowledged it. */
    public static CompletionStage<Void> send(Emitter<Event<?>> emitter, Event<?> event) {
        return send(emitter, event, new RecordHeaders());
    }

    /** Sends the event with record headers (facts about the message that are not part of the payload schema). */
    public static CompletionStage<Void> send(Emitter<Event<?>> emitter, Event<?> event, Headers headers) {
        CompletableFuture<Void> acked = new CompletableFuture<>();
        emitter.send(Message.<Event<?>>of(event)
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(event.correlationId())
                        .withHeaders(headers).build())
                .withAck(() -> {
                    acked.complete(null);
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(failure -> {
                    acked.completeExceptionally(failure);
                    return CompletableFuture.completedFuture(null);
                }));
        return acked;
    }

    private EventMessages() {
    }
}
