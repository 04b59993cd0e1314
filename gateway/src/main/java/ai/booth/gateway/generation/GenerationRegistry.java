package ai.booth.gateway.generation;

import ai.booth.contracts.Event;
import ai.booth.contracts.GenerationCompleted;
import ai.booth.contracts.GenerationFailed;
import ai.booth.contracts.GenerationRequested;
import ai.booth.gateway.job.JobRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Generations as the API shows them, from their request and result topics. */
@ApplicationScoped
public class GenerationRegistry extends JobRegistry<GenerationView> {

    @Override
    protected GenerationView initial(String id, Event<?> event) {
        return GenerationView.unknown(id, event.ownerId(), event.occurredAt());
    }

    @Incoming("view-generation-requested")
    void requested(ConsumerRecord<String, Event<GenerationRequested>> record) {
        onRequested(record, record.value().payload().generationId(), GenerationView::requested);
    }

    @Incoming("view-generation-completed")
    void completed(Event<GenerationCompleted> event) {
        on(event, event.payload().generationId(), view -> view.completed(event.payload()));
    }

    @Incoming("view-generation-failed")
    void failed(Event<GenerationFailed> event) {
        on(event, event.payload().generationId(), view -> view.failed(event.payload()));
    }
}
