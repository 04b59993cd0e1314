package ai.booth.service;

import ai.booth.contracts.Event;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/** Publishing Booth events: keyed by correlation id so one job's events stay in order on one partition. */
public final class EventMessages {

    private static final Logger LOG = Logger.getLogger(EventMessages.class);

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

    /**
     * Sends the event and returns once Kafka took it, sending it again after a pause ({@link Backoff#OUTAGE}, no
     * bound) while the send fails with a retriable error — the broker gone for longer than the producer waits for it
     * ({@code max.block.ms}, {@code delivery.timeout.ms}). For outcomes already stored, which must not be lost with
     * their request acknowledged. A send that did arrive and is sent again is the same event (same id), which
     * consumers take once. Any other failure is thrown.
     */
    public static void deliver(Emitter<Event<?>> emitter, Event<?> event) {
        Backoff.Waits waits = Backoff.OUTAGE.start();
        while (true) {
            try {
                send(emitter, event).toCompletableFuture().join();
                return;
            } catch (CompletionException | CancellationException e) {
                Throwable retriable = KafkaFailures.retriableCause(e).orElseThrow(() -> e);
                LOG.warnf("Kafka did not take %s %s of %s (%s); sending it again", event.type(), event.correlationId(),
                        event.ownerId(), retriable.getMessage());
            }
            try {
                waits.pause();
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while delivering " + event.type(), interrupted);
            }
        }
    }

    private EventMessages() {
    }
}
